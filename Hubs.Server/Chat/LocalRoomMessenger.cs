using Hubs.Contracts;
using Hubs.Server.Rooms;
using Microsoft.AspNetCore.SignalR;

namespace Hubs.Server.Chat;

/// <summary>Room messages on a single instance: store in history, then send to the SignalR group.</summary>
internal sealed class LocalRoomMessenger(IRoomHistoryStore history, IHubContext<ChatHub, IChatClient> hub) : IRoomMessenger
{
    public async Task<ChatMessage> PostAsync(string room, UserInfo sender, string text, DateTime timestamp, string? clientMessageId, CancellationToken cancellationToken)
    {
        var message = await history.AppendAsync(room, sender, text, timestamp, cancellationToken);
        await hub.Clients.Group(room).ReceiveRoomMessage(message);
        return message;
    }
}
