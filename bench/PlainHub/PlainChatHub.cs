using Hubs.Contracts;
using Microsoft.AspNetCore.SignalR;

namespace Hubs.Bench.PlainHub;

/// <summary>
/// The chat methods the bench calls, done the textbook way: a group per room, <c>Clients.Group(...)</c> to send,
/// an id from a counter. Nothing is checked, stored or tracked, so it shows what SignalR itself costs.
/// </summary>
internal sealed class PlainChatHub(TimeProvider time) : Hub<IChatClient>
{
    private static long s_lastId;

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    private UserInfo Me => new(Context.ConnectionId, Context.ConnectionId);

    /// <summary>The typed client the bench drives counts a connection as started once the server welcomes it.</summary>
    public override Task OnConnectedAsync() => Clients.Caller.Welcome(new WelcomeMessage(Context.ConnectionId, Me, Now));

    public async Task<MessageAck> SendMessage(SendMessageRequest request)
    {
        var message = new ChatMessage(Interlocked.Increment(ref s_lastId), null, Me, request.Text, Now);
        await Clients.All.ReceiveMessage(message);
        return new MessageAck(message.Id, message.Timestamp);
    }

    public async Task<JoinRoomResult> JoinRoom(JoinRoomRequest request)
    {
        await Groups.AddToGroupAsync(Context.ConnectionId, request.Room, Context.ConnectionAborted);
        return new JoinRoomResult(request.Room, [Me], []);
    }

    public async Task<MessageAck> SendRoomMessage(SendRoomMessageRequest request)
    {
        var message = new ChatMessage(Interlocked.Increment(ref s_lastId), request.Room, Me, request.Text, Now);
        await Clients.Group(request.Room).ReceiveRoomMessage(message);
        return new MessageAck(message.Id, message.Timestamp);
    }
}
