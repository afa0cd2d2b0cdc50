using Hubs.Client;
using Hubs.Contracts;
using Hubs.Tests.Infrastructure;

namespace Hubs.Tests.Client;

/// <summary>
/// The typed client against the real server in memory, with connections cut from the server side: after each
/// cut the server sees a new connection id, so everything per-connection (room membership) must be restored.
/// </summary>
public sealed class ReconnectTests(DroppableHubsApplication app) : IClassFixture<DroppableHubsApplication>
{
    [Theory]
    [InlineData(HubProtocolKind.Json)]
    [InlineData(HubProtocolKind.MessagePack)]
    public async Task RoomMessagesSentDuringAnOutageArriveOnceAndInOrderAfterReconnect(HubProtocolKind protocol)
    {
        await using var alice = await ResilientChat.ConnectAsync(app, Names.User("alice"), protocol: protocol);
        await using var bob = await ResilientChat.ConnectAsync(app, Names.User("bob"), protocol: protocol);
        var room = Names.Room();
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await bob.Client.JoinRoomAsync(new JoinRoomRequest(room));
        var before = await bob.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "before"));
        Assert.Equal(before.Id, (await alice.Events.RoomMessages.NextAsync()).Id);
        var oldConnectionId = alice.Client.ConnectionId;

        alice.Tokens.Hold();
        Assert.Equal(1, app.Dropper.Drop(alice.UserName));
        await alice.NextStateAsync<DisconnectedEvent>();
        await alice.Tokens.AttemptWaiting;
        var sent = new List<long>();
        foreach (var text in new[] { "one", "two", "three" })
        {
            sent.Add((await bob.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, text))).Id);
        }
        alice.Tokens.Release();

        var rejoined = await alice.Rejoined.NextAsync();
        Assert.Equal(new RoomRejoinedEvent(room, 3, false), rejoined);
        var missed = alice.Events.RoomMessages.Drain();
        Assert.Equal(sent, missed.Select(message => message.Id));
        Assert.Equal(["one", "two", "three"], missed.Select(message => message.Text));
        Assert.NotEqual(oldConnectionId, alice.Client.ConnectionId);

        // Membership is back on the new connection: live messages flow both ways, still once.
        var after = await bob.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "after"));
        Assert.Equal(after.Id, (await alice.Events.RoomMessages.NextAsync()).Id);
        var reply = await alice.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "back"));
        Assert.Equal(reply.Id, (await bob.Events.RoomMessages.NextAsync(message => message.Text == "back")).Id);
        Assert.Equal([reply.Id], (await ReadUntilAsync(alice.Events.RoomMessages, reply.Id)).Select(message => message.Id));
    }

    [Fact]
    public async Task StateEventsOfALostConnectionFireInOrder()
    {
        await using var alice = await ResilientChat.ConnectAsync(app, Names.User("alice"));

        alice.Tokens.Hold();
        app.Dropper.Drop(alice.UserName);
        await alice.Tokens.AttemptWaiting;
        alice.Tokens.Release();
        var reconnected = await alice.NextStateAsync<ReconnectedEvent>();

        var history = alice.History;
        Assert.IsType<ConnectingEvent>(history[0]);
        Assert.IsType<ConnectedEvent>(history[1]);
        var disconnected = Assert.IsType<DisconnectedEvent>(history[2]);
        // A lost connection has a reason, even when SignalR reports none: null reads as "stopped by you".
        Assert.IsType<HubConnectionLostException>(disconnected.Reason, exactMatch: false);
        var reconnecting = Assert.IsType<ReconnectingEvent>(history[3]);
        Assert.Equal(1, reconnecting.Attempt);
        Assert.Same(disconnected.Reason, reconnecting.Error);
        Assert.Equal(reconnected, history[^1]);
        Assert.Equal(alice.Client.ConnectionId, reconnected.ConnectionId);
        Assert.Equal(ClientConnectionState.Connected, alice.Client.ConnectionState);

        await alice.Client.StopAsync();
        Assert.Equal(new DisconnectedEvent(null), await alice.NextStateAsync<DisconnectedEvent>());
        Assert.Equal(ClientConnectionState.Disconnected, alice.Client.ConnectionState);
    }

    [Fact]
    public async Task SendWhoseAckIsLostIsResentAndDeliveredExactlyOnce()
    {
        await using var alice = await ResilientChat.ConnectAsync(app, Names.User("alice"));
        await using var bob = await ResilientChat.ConnectAsync(app, Names.User("bob"));
        var room = Names.Room();
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await bob.Client.JoinRoomAsync(new JoinRoomRequest(room));
        var lostAck = app.Dropper.DropAfterNextCall(alice.UserName, nameof(IChatHub.SendRoomMessage));

        var ack = await alice.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "exactly once")).WaitAsync(Timeouts.Default);

        // The server delivered and acked the first copy, the connection died before the ack arrived, the client
        // re-sent after reconnecting and got the original ack back.
        var original = Assert.IsType<MessageAck>(await lostAck.WaitAsync(Timeouts.Default));
        Assert.Equal(original, ack);
        await alice.NextStateAsync<ReconnectedEvent>();
        var marker = await bob.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "marker"));
        var bobSaw = await ReadUntilAsync(bob.Events.RoomMessages, marker.Id);
        Assert.Equal([ack.Id, marker.Id], bobSaw.Select(message => message.Id));
        // Alice's own copy reaches her once too: live on the old connection or recovered on the new one.
        var aliceSaw = await ReadUntilAsync(alice.Events.RoomMessages, marker.Id);
        Assert.Equal([ack.Id, marker.Id], aliceSaw.Select(message => message.Id));
        var history = await bob.Client.GetRoomHistoryAsync(new GetRoomHistoryRequest(room));
        Assert.Single(history, message => message.Text == "exactly once");
    }

    [Fact]
    public async Task ConcurrentSendsAcrossADroppedConnectionAreEachDeliveredExactlyOnce()
    {
        await using var alice = await ResilientChat.ConnectAsync(app, Names.User("alice"));
        await using var bob = await ResilientChat.ConnectAsync(app, Names.User("bob"));
        var room = Names.Room();
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await bob.Client.JoinRoomAsync(new JoinRoomRequest(room));
        var lostAck = app.Dropper.DropAfterNextCall(alice.UserName, nameof(IChatHub.SendRoomMessage));

        // Twenty sends from many threads at once; one of them takes the connection down with its ack.
        var sends = Enumerable.Range(1, 20)
            .Select(i => Task.Run(() => alice.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, $"message {i}"))))
            .ToList();
        var acks = await Task.WhenAll(sends).WaitAsync(Timeouts.Default);

        await lostAck.WaitAsync(Timeouts.Default);
        Assert.Equal(20, acks.Select(ack => ack.Id).Distinct().Count());
        var marker = await alice.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "marker"));
        var bobSaw = await ReadUntilAsync(bob.Events.RoomMessages, marker.Id);
        Assert.Equal(acks.Select(ack => ack.Id).Append(marker.Id).Order(), bobSaw.Select(message => message.Id).Order());
        Assert.Equal(bobSaw.Count, bobSaw.Select(message => message.Text).Distinct().Count());
        var aliceSaw = await ReadUntilAsync(alice.Events.RoomMessages, marker.Id);
        Assert.Equal(bobSaw.Select(message => message.Id).Order(), aliceSaw.Select(message => message.Id).Order());
    }

    /// <summary>Everything up to and including the message with <paramref name="lastId"/>.</summary>
    internal static async Task<List<ChatMessage>> ReadUntilAsync(EventStream<ChatMessage> stream, long lastId)
    {
        var seen = new List<ChatMessage>();
        while (seen.Count == 0 || seen[^1].Id != lastId)
        {
            seen.Add(await stream.NextAsync());
        }
        return seen;
    }
}
