using System.Collections.Concurrent;
using System.Net.WebSockets;
using Hubs.Client;
using Hubs.Contracts;
using Hubs.Tests.Infrastructure;

namespace Hubs.Tests.Client;

/// <summary>
/// The connection dies on the client's side (its WebSocket is aborted) rather than the server's: whichever way
/// the connection comes back, the room and its messages come through intact.
/// </summary>
public sealed class ClientSideDropTests(DroppableHubsApplication app) : IClassFixture<DroppableHubsApplication>
{
    [Fact]
    public async Task AClientSideSocketFailureIsRecoveredWithNothingLostOrRepeated()
    {
        var name = Names.User("alice");
        var sockets = new ConcurrentQueue<WebSocket>();
        var options = app.HubOptionsFor(name);
        var configure = options.ConfigureHttpConnection!;
        options.ConfigureHttpConnection = http =>
        {
            configure(http);
            var connect = http.WebSocketFactory!;
            http.WebSocketFactory = async (context, cancellationToken) =>
            {
                var socket = await connect(context, cancellationToken);
                sockets.Enqueue(socket);
                return socket;
            };
        };
        options.Reconnect = ResilientChat.FastForever;
        var token = app.CreateToken(name);
        await using var alice = new ResilientChat(name, options, new GatedTokenProvider(() => token));
        await alice.StartAsync();
        await using var bob = await ResilientChat.ConnectAsync(app, Names.User("bob"));
        var room = Names.Room();
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await bob.Client.JoinRoomAsync(new JoinRoomRequest(room));

        Assert.Single(sockets).Abort();
        var sent = await bob.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "during the blip"));
        var ack = await alice.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "after the blip")).WaitAsync(Timeouts.Default);

        Assert.Equal([sent.Id, ack.Id], (await ReconnectTests.ReadUntilAsync(alice.Events.RoomMessages, ack.Id)).Select(message => message.Id));
        Assert.Equal(2, sockets.Count);
        Assert.Equal(ClientConnectionState.Connected, alice.Client.ConnectionState);
        var marker = await bob.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "marker"));
        Assert.Equal([sent.Id, ack.Id, marker.Id], (await ReconnectTests.ReadUntilAsync(bob.Events.RoomMessages, marker.Id)).Select(message => message.Id));
    }
}
