using Hubs.Client;
using Hubs.Contracts;
using Hubs.Tests.Infrastructure;

namespace Hubs.Tests.Client;

/// <summary>The typed client against a real server process on 127.0.0.1 that is stopped and restarted on the same port.</summary>
[Collection(KestrelClientCollection.Name)]
public sealed class KestrelReconnectTests(KestrelServerFixture fixture)
{
    // One protocol here (each restart costs seconds); the in-memory reconnect tests run both.
    [Fact]
    public async Task AfterAServerRestartRoomsAreRejoinedAndMessagesSentMeanwhileArriveOnceInOrder()
    {
        const HubProtocolKind protocol = HubProtocolKind.MessagePack;
        var server = await fixture.RunningServerAsync();
        await using var alice = await ResilientChat.ConnectAsync(server, Names.User("alice"), protocol: protocol);
        await using var bob = await ResilientChat.ConnectAsync(server, Names.User("bob"), protocol: protocol);
        var room = Names.Room();
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await bob.Client.JoinRoomAsync(new JoinRoomRequest(room));
        var before = await bob.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "before"));
        await alice.Events.RoomMessages.NextAsync(message => message.Id == before.Id);
        await bob.Events.RoomMessages.NextAsync(message => message.Id == before.Id);

        alice.Tokens.Hold();
        await server.StopAsync();
        await server.StartAsync();
        // Bob is back first (rooms re-joined) and talks while Alice is still away.
        await bob.NextStateAsync<ReconnectedEvent>();
        Assert.Equal(new RoomRejoinedEvent(room, 0, false), await bob.Rejoined.NextAsync());
        var sent = new List<long>();
        foreach (var text in new[] { "one", "two", "three" })
        {
            sent.Add((await bob.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, text))).Id);
        }
        await alice.Tokens.AttemptWaiting;
        alice.Tokens.Release();

        Assert.Equal(new RoomRejoinedEvent(room, 3, false), await alice.Rejoined.NextAsync());
        Assert.Equal(sent, alice.Events.RoomMessages.Drain().Select(message => message.Id));
        var states = alice.History.Select(change => change.GetType().Name).ToList();
        Assert.Equal(["ConnectingEvent", "ConnectedEvent", "DisconnectedEvent", "ReconnectingEvent"], states.Take(4));
        Assert.Equal("ReconnectedEvent", states[^1]);
        Assert.All(states.Skip(3).SkipLast(1), name => Assert.Equal("ReconnectingEvent", name));
        var attempts = alice.History.OfType<ReconnectingEvent>().Select(change => change.Attempt).ToList();
        Assert.Equal(Enumerable.Range(1, attempts.Count), attempts);

        var after = await alice.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "after"));
        var bobSaw = await ReconnectTests.ReadUntilAsync(bob.Events.RoomMessages, after.Id);
        Assert.Equal([.. sent, after.Id], bobSaw.Select(message => message.Id));
    }

    [Fact]
    public async Task ASendMadeWhileTheServerIsDownIsDeliveredOnceAfterItRestarts()
    {
        var server = await fixture.RunningServerAsync();
        await using var alice = await ResilientChat.ConnectAsync(server, Names.User("alice"));
        await using var bob = await ResilientChat.ConnectAsync(server, Names.User("bob"));
        var room = Names.Room();
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await bob.Client.JoinRoomAsync(new JoinRoomRequest(room));

        await server.StopAsync();
        await alice.NextStateAsync<ReconnectingEvent>();
        var send = alice.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "queued"));
        await server.StartAsync();

        var ack = await send.WaitAsync(Timeouts.Default);
        var bobSaw = await ReconnectTests.ReadUntilAsync(bob.Events.RoomMessages, ack.Id);
        Assert.Equal(["queued"], bobSaw.Select(message => message.Text));
        var history = await bob.Client.GetRoomHistoryAsync(new GetRoomHistoryRequest(room));
        Assert.Equal([ack.Id], history.Select(message => message.Id));
    }

    [Fact]
    public async Task ClientGivesUpWhenTheServerStaysDownAndCanBeStartedAgainWithItsRooms()
    {
        var server = await fixture.RunningServerAsync();
        var policy = new ReconnectPolicy { MaxAttempts = 3, InitialDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(50) };
        await using var alice = await ResilientChat.ConnectAsync(server, Names.User("alice"), policy);
        var room = Names.Room();
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));

        await server.StopAsync();
        var gaveUp = await alice.NextStateAsync<GaveUpEvent>();

        Assert.Equal(3, gaveUp.Attempts);
        Assert.IsType<HttpRequestException>(gaveUp.LastError);
        Assert.Equal([1, 2, 3], alice.History.OfType<ReconnectingEvent>().Select(change => change.Attempt));
        await Assert.ThrowsAsync<HubConnectionLostException>(() => alice.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "lost")));

        await server.StartAsync();
        await alice.Client.StartAsync().WaitAsync(Timeouts.Default);
        Assert.Equal(room, (await alice.Rejoined.NextAsync()).Room);
        var ack = await alice.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "back"));
        Assert.Equal(ack.Id, (await alice.Events.RoomMessages.NextAsync(message => message.Text == "back")).Id);
    }

    [Fact]
    public async Task AfterAServerRestartANotificationClientResubscribesAndReceivesTopicNotificationsPublishedThroughTheRestApi()
    {
        var server = await fixture.RunningServerAsync();
        await using var alice = await ResilientNotifications.ConnectAsync(server, Names.User("alice"), protocol: HubProtocolKind.MessagePack);
        var followed = Names.Room("followed");
        var later = Names.Room("later");
        await alice.Client.FollowAsync(followed);

        await server.StopAsync();
        await alice.NextStateAsync<ReconnectingEvent>();
        // Made while the server is down: it waits for the connection instead of failing.
        var subscribing = alice.Client.SubscribeAsync(new SubscribeRequest(later));
        await server.StartAsync();
        await alice.NextStateAsync<ReconnectedEvent>();
        Assert.True((await subscribing.WaitAsync(Timeouts.Default)).Ok);
        using var admin = await KestrelClients.AdminHttpClientAsync(server);
        var toFollowed = await admin.PublishAsync("after the restart", followed);
        var toLater = await admin.PublishAsync("subscribed while down", later);

        Assert.Equal(toFollowed, await alice.Events.Notifications.NextAsync(n => n.Id == toFollowed.Id));
        Assert.Equal(toLater, await alice.Events.Notifications.NextAsync(n => n.Id == toLater.Id));
        Assert.Equal([followed, later], alice.Client.Topics.Order());
        var attempts = alice.History.OfType<ReconnectingEvent>().Select(change => change.Attempt).ToList();
        Assert.Equal(Enumerable.Range(1, attempts.Count), attempts);
    }
}
