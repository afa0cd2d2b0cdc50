using System.Net;
using System.Net.Http.Json;
using Hubs.Contracts;
using Hubs.Tests.Infrastructure;
using Hubs.Server.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;

namespace Hubs.Tests.Notifications;

/// <summary>Every publish and admin endpoint, and the stats stream, is for the admin role only.</summary>
public sealed class EndpointAuthorizationTests(HubsApplication app) : IClassFixture<HubsApplication>
{
    public static TheoryData<string, string> AdminEndpoints => new()
    {
        { "POST", ApiRoutes.Notifications },
        { "POST", ApiRoutes.RoomMessagesOf("lobby") },
        { "GET", ApiRoutes.AdminUsers },
        { "POST", ApiRoutes.AdminUserDisconnectOf("bob") },
        { "GET", ApiRoutes.AdminRooms },
        { "GET", ApiRoutes.AdminRoomMembersOf("lobby") },
        { "DELETE", ApiRoutes.AdminRoomMemberOf("lobby", "bob") },
        { "GET", ApiRoutes.AdminStats },
    };

    [Theory]
    [MemberData(nameof(AdminEndpoints))]
    public async Task EndpointRefusesARequestWithoutATokenWith401(string method, string path)
    {
        using var anonymous = app.HttpClientFor(null);

        using var response = await anonymous.SendAsync(Request(method, path));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(AdminEndpoints))]
    public async Task EndpointRefusesAUserWithoutTheAdminRoleWith403(string method, string path)
    {
        using var user = app.HttpClientFor(Names.User("mallory"), ["moderator"]);

        using var response = await user.SendAsync(Request(method, path));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(AdminEndpoints))]
    public async Task EndpointLetsAnAdminThrough(string method, string path)
    {
        using var admin = app.AdminHttpClient();

        using var response = await admin.SendAsync(Request(method, path));

        Assert.NotEqual(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.NotEqual(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.True((int)response.StatusCode < 500, $"{method} {path} answered {(int)response.StatusCode}");
    }

    [Fact]
    public void EveryEndpointThatRequiresTheAdminRoleIsCheckedAbove()
    {
        var checkedEndpoints = AdminEndpoints.Select(row => $"{row[0]} {row[1]}").ToHashSet(StringComparer.Ordinal);
        var adminEndpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(endpoint => endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(data => data.Policy == HubClaims.AdminRole))
            .SelectMany(endpoint => endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods
                .Select(method => $"{method} {Concrete(endpoint.RoutePattern.RawText!)}"))
            .ToList();

        Assert.NotEmpty(adminEndpoints);
        Assert.All(adminEndpoints, endpoint => Assert.Contains(endpoint, checkedEndpoints));
    }

    /// <summary>The route template with the values the theory data uses.</summary>
    private static string Concrete(string template) =>
        "/" + template.TrimStart('/').Replace("{room}", "lobby", StringComparison.Ordinal).Replace("{userId}", "bob", StringComparison.Ordinal);

    [Fact]
    public async Task AnExpiredAdminTokenIsRefusedWith401()
    {
        using var http = app.CreateClient();
        var expired = app.CreateToken(Names.User("admin"), NotificationTestExtensions.AdminRoles, TimeSpan.FromMinutes(-10));
        http.DefaultRequestHeaders.Authorization = new("Bearer", expired);

        using var response = await http.PostAsJsonAsync(ApiRoutes.Notifications, new PublishNotificationRequest("hi"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task StatsStreamRefusesAUserWithoutTheAdminRoleAndTheConnectionStaysUsable()
    {
        await using var user = await app.ConnectNotificationsAsync(Names.User("mallory"));

        var error = await Assert.ThrowsAsync<HubException>(async () =>
        {
            await foreach (var _ in user.Client.StreamStatsAsync())
            {
                Assert.Fail("a non-admin received a stats sample");
            }
        });

        Assert.Contains("unauthorized", error.Message, StringComparison.OrdinalIgnoreCase);
        await user.FollowAsync(Names.Room("topic"));
    }

    [Fact]
    public async Task StatsStreamServesAnAdmin()
    {
        await using var admin = await app.ConnectNotificationsAsync(Names.User("admin"), roles: NotificationTestExtensions.AdminRoles);
        using var cts = new CancellationTokenSource(Timeouts.Default);

        await using var samples = admin.Client.StreamStatsAsync(cancellationToken: cts.Token).GetAsyncEnumerator(cts.Token);

        Assert.True(await samples.MoveNextAsync());
        Assert.True(samples.Current.StatsStreams >= 1);
    }

    private static HttpRequestMessage Request(string method, string path) => new(new HttpMethod(method), path)
    {
        Content = method == "POST" ? JsonContent.Create(new { title = "t", text = "t" }) : null,
    };
}
