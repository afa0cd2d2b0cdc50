using System.Net.Http.Headers;
using System.Net.Http.Json;
using Hubs.Client;
using Hubs.Contracts;
using Hubs.Server.Auth;

namespace Hubs.Tests.Infrastructure;

/// <summary>Notification clients and authorized HTTP clients for a <see cref="HubsApplication"/>.</summary>
public static class NotificationTestExtensions
{
    public static readonly string[] AdminRoles = [HubClaims.AdminRole];

    /// <summary>A started notification client for <paramref name="userName"/>, with <paramref name="roles"/> in its token.</summary>
    public static async Task<NotificationSession> ConnectNotificationsAsync(this HubsApplication app, string userName,
        HubProtocolKind protocol = HubProtocolKind.Json, IEnumerable<string>? roles = null)
    {
        var token = app.CreateToken(userName, roles);
        var session = new NotificationSession(userName, new NotificationClient(app.HubOptionsFor(userName, protocol, token: token)));
        await session.Client.StartAsync().WaitAsync(Timeouts.Default);
        await session.Client.ReadyAsync();
        return session;
    }

    /// <summary>Subscribes and checks the server accepted it.</summary>
    public static async Task FollowAsync(this NotificationClient client, string topic)
    {
        var ack = await client.SubscribeAsync(new SubscribeRequest(topic)).WaitAsync(Timeouts.Default);
        Assert.True(ack.Ok, $"The server did not accept the subscription to {topic}.");
    }

    /// <summary>An HTTP client of the TestServer signed in as <paramref name="userName"/> (none: anonymous).</summary>
    public static HttpClient HttpClientFor(this HubsApplication app, string? userName, IEnumerable<string>? roles = null)
    {
        var http = app.CreateClient();
        if (userName is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", app.CreateToken(userName, roles));
        }
        return http;
    }

    public static HttpClient AdminHttpClient(this HubsApplication app) => app.HttpClientFor(Names.User("admin"), AdminRoles);

    /// <summary>Publishes through the REST API and returns what the server accepted.</summary>
    public static async Task<Notification> PublishAsync(this HttpClient admin, string title, string? topic = null, string? body = null)
    {
        using var response = await admin.PostAsJsonAsync(ApiRoutes.Notifications, new PublishNotificationRequest(title, body, topic));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<Notification>())!;
    }
}
