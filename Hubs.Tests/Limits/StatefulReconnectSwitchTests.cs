using System.Text.Json;
using Hubs.Contracts;
using Hubs.Tests.Infrastructure;

namespace Hubs.Tests.Limits;

/// <summary><c>Hubs:AllowStatefulReconnects</c> decides whether negotiate grants a client's request for stateful reconnect.</summary>
public sealed class StatefulReconnectSwitchTests
{
    [Theory]
    [InlineData(null, true)]
    [InlineData("false", false)]
    public async Task NegotiateGrantsStatefulReconnectUnlessItIsSwitchedOff(string? allowed, bool granted)
    {
        await using var app = HubsApplication.With("Hubs:AllowStatefulReconnects", allowed);
        using var http = app.HttpClientFor(Names.User("alice"));

        using var response = await http.PostAsync(HubRoutes.Chat + "/negotiate?negotiateVersion=1&useStatefulReconnect=true", null);
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(granted, body.RootElement.TryGetProperty("useStatefulReconnect", out var value) && value.GetBoolean());
        // Either way the typed client connects and chats.
        await using var alice = await app.ConnectChatAsync(Names.User("alice"));
        await alice.Client.SendMessageAsync(new SendMessageRequest("hello"));
    }
}
