using Hubs.Client;
using Hubs.Contracts;
using Hubs.Tests.Hostile;
using Hubs.Tests.Infrastructure;

namespace Hubs.Tests.Limits;

/// <summary>
/// A real SignalR stateful reconnect: the receiver's socket to real Kestrel is reset under it, its client opens a new
/// WebSocket for the same connection by itself, and the server resends what the client had not acknowledged.
/// </summary>
/// <remarks>
/// Its own instance of the hostile suite's server: Kestrel in this process on 127.0.0.1 (a TestServer has no sockets to cut).
/// Only the receiver goes through the relay; the other users talk to the server directly.
/// </remarks>
public sealed class StatefulReconnectTests(HostileServerFixture server) : IClassFixture<HostileServerFixture>
{
    [Theory]
    [InlineData(HubProtocolKind.Json)]
    [InlineData(HubProtocolKind.MessagePack)]
    public async Task AReceiverWhoseSocketIsCutKeepsItsConnectionAndGetsWhatWasSentJustBeforeAndDuringTheCutOnceInOrder(HubProtocolKind protocol)
    {
        var room = Names.Room();
        await using var relay = LoopbackTcpRelay.Start(server.Address);
        await using var sender = await server.ConnectChatAsync(Names.User("sender"));
        await using var observer = await server.ConnectChatAsync(Names.User("observer"));
        var receiverName = Names.User("receiver");
        await using var receiver = await RelayedChat.ConnectAsync(server, relay, receiverName, protocol);
        // After the negotiate: the WebSocket request, which names the connection's token (GET /hubs/chat?id=…).
        var webSocketRequest = await relay.Requests.NextAsync(line => line.StartsWith("GET ", StringComparison.Ordinal));
        var connectionId = receiver.Client.ConnectionId!;
        await observer.Events.UserConnected.NextAsync(e => e.User.Id == receiverName);
        await sender.Client.JoinRoomAsync(new JoinRoomRequest(room)).WaitAsync(Timeouts.Default);
        await receiver.Client.JoinRoomAsync(new JoinRoomRequest(room)).WaitAsync(Timeouts.Default);
        var before = await sender.Client.SendMessageAsync(new SendMessageRequest("before")).WaitAsync(Timeouts.Default);
        await receiver.Events.All.ReadThroughAsync(e => e.Payload is ChatMessage m && m.Id == before.Id);

        // Just before the cut: the server writes these to the receiver's socket, the relay keeps them from the client,
        // and the reset loses them. Only SignalR's buffer of unacknowledged messages still has them.
        relay.PauseServerToClient();
        List<(string Method, long Id)> lost, meanwhile;
        try
        {
            lost = await SendOneOfEachAsync(sender, room, receiverName, "lost");
            relay.HoldNewConnections();
            Assert.NotEqual(0, relay.CutAll());

            // The client comes back by itself, for the same connection: no negotiate, the same token.
            Assert.Equal(webSocketRequest, await relay.Requests.NextAsync());
            // While it is held away from the server, more is sent to it.
            meanwhile = await SendOneOfEachAsync(sender, room, receiverName, "meanwhile");
        }
        finally
        {
            // Also when an assertion failed: nothing may stay stuck behind the relay when the clients close.
            relay.ResumeServerToClient();
            relay.AdmitNewConnections();
        }

        var received = await receiver.Events.All.ReadThroughAsync(e => e.Payload is ChatMessage m && m.Id == meanwhile[^1].Id);
        Assert.Equal([.. lost, .. meanwhile], Messages(received));
        // It still sends and gets its answer; nothing from before the cut arrives a second time.
        var reply = await receiver.Client.SendMessageAsync(new SendMessageRequest("still here")).WaitAsync(Timeouts.Default);
        var rest = await receiver.Events.All.ReadThroughAsync(e => e.Payload is ChatMessage m && m.Id == reply.Id);
        Assert.Equal([(nameof(IChatClient.ReceiveMessage), reply.Id)], Messages(rest));
        await observer.Events.Messages.NextAsync(m => m.Id == reply.Id);

        // The same connection throughout: never closed, not welcomed again, no rooms to re-join, nobody saw the user
        // leave or come back.
        Assert.Equal(connectionId, receiver.Client.ConnectionId);
        Assert.Equal([new ConnectingEvent(), new ConnectedEvent(connectionId)], receiver.History);
        Assert.Empty(receiver.Events.Welcome.Drain());
        Assert.Empty(receiver.Rejoined.Drain());
        Assert.DoesNotContain(observer.Events.UserDisconnected.Drain(), e => e.User.Id == receiverName);
        Assert.DoesNotContain(observer.Events.UserConnected.Drain(), e => e.User.Id == receiverName);
    }

    /// <summary>A global, a room and a direct message to <paramref name="recipient"/>, each acknowledged, as the recipient receives them.</summary>
    private static async Task<List<(string Method, long Id)>> SendOneOfEachAsync(ChatSession sender, string room, string recipient, string text) =>
    [
        (nameof(IChatClient.ReceiveMessage), (await sender.Client.SendMessageAsync(new SendMessageRequest(text)).WaitAsync(Timeouts.Default)).Id),
        (nameof(IChatClient.ReceiveRoomMessage), (await sender.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, text)).WaitAsync(Timeouts.Default)).Id),
        (nameof(IChatClient.ReceiveDirectMessage), (await sender.Client.SendDirectMessageAsync(new SendDirectMessageRequest(recipient, text)).WaitAsync(Timeouts.Default)).Id),
    ];

    private static List<(string Method, long Id)> Messages(IEnumerable<(string Method, object Payload)> events) =>
        [.. events.Where(e => e.Payload is ChatMessage).Select(e => (e.Method, ((ChatMessage)e.Payload).Id))];
}
