using Hubs.Contracts;
using Hubs.Tests.Infrastructure;

namespace Hubs.Tests.Limits;

/// <summary><c>Hubs:CloseNegotiateConnections</c>: a negotiate response ends its HTTP/1.1 connection unless switched off.</summary>
public sealed class NegotiateConnectionTests
{
    [Theory]
    [InlineData(null, true)]
    [InlineData("false", false)]
    public async Task NegotiateResponsesCloseTheirConnectionUnlessSwitchedOff(string? close, bool closes)
    {
        await using var app = HubsApplication.With("Hubs:CloseNegotiateConnections", close);
        using var http = app.HttpClientFor(Names.User("alice"));

        using var negotiate = await http.PostAsync(HubRoutes.Chat + "/negotiate?negotiateVersion=1", null);
        using var other = await http.GetAsync("/health/live");

        negotiate.EnsureSuccessStatusCode();
        Assert.Equal(closes, negotiate.Headers.ConnectionClose == true);
        // Only negotiate: other requests keep their connection.
        Assert.NotEqual(true, other.Headers.ConnectionClose);
        // And the typed client still connects and chats.
        await using var alice = await app.ConnectChatAsync(Names.User("alice"));
        await alice.Client.SendMessageAsync(new SendMessageRequest("hello"));
    }
}
