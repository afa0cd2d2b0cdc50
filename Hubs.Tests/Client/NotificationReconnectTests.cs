using Hubs.Client;
using Hubs.Contracts;
using Hubs.Tests.Infrastructure;

namespace Hubs.Tests.Client;

/// <summary>
/// The typed notification client against the real server in memory, with its connection cut from the server side:
/// it reconnects like the chat client and follows its topics again on the new connection.
/// </summary>
public sealed class NotificationReconnectTests(DroppableHubsApplication app) : IClassFixture<DroppableHubsApplication>
{
    [Fact]
    public async Task AfterADroppedConnectionTheClientResubscribesItsTopicsAndReceivesWhatIsPublishedNext()
    {
        await using var alice = await ResilientNotifications.ConnectAsync(app, Names.User("alice"));
        var topic = Names.Room("topic");
        await alice.Client.FollowAsync(topic);
        var oldConnectionId = alice.Client.ConnectionId;

        Assert.Equal(1, app.Dropper.Drop(alice.UserName));
        await alice.NextStateAsync<ReconnectedEvent>();
        // Calls wait until the topics are subscribed again, so once this one is answered the server knows them.
        await alice.Client.ReadyAsync();
        using var admin = app.AdminHttpClient();
        var sent = await admin.PublishAsync("after the drop", topic);

        Assert.Equal(sent, await alice.Events.Notifications.NextAsync(n => n.Id == sent.Id));
        Assert.NotEqual(oldConnectionId, alice.Client.ConnectionId);
        Assert.Equal([topic], alice.Client.Topics);
        Assert.Equal(ClientConnectionState.Connected, alice.Client.ConnectionState);
        var states = alice.History.Select(change => change.GetType().Name).ToList();
        Assert.Equal(["ConnectingEvent", "ConnectedEvent", "DisconnectedEvent", "ReconnectingEvent"], states.Take(4));
        Assert.Equal("ReconnectedEvent", states[^1]);
    }

    [Fact]
    public async Task ACallAfterTheClientGaveUpFailsWithHubConnectionLostException()
    {
        var policy = new ReconnectPolicy { MaxAttempts = 2, InitialDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(20) };
        await using var alice = await ResilientNotifications.ConnectAsync(app, Names.User("alice"), policy);

        alice.Tokens.FailWith(new HttpRequestException("The identity provider is down."));
        app.Dropper.Drop(alice.UserName);
        var gaveUp = await alice.NextStateAsync<GaveUpEvent>();

        Assert.Equal(2, gaveUp.Attempts);
        Assert.Equal(ClientConnectionState.Disconnected, alice.Client.ConnectionState);
        await Assert.ThrowsAsync<HubConnectionLostException>(() => alice.Client.SubscribeAsync(new SubscribeRequest(Names.Room("topic"))));
    }
}
