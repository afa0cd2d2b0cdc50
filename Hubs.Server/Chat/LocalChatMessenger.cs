using Hubs.Contracts;
using Hubs.Server.State;
using Microsoft.AspNetCore.SignalR;

namespace Hubs.Server.Chat;

/// <summary>Global and direct messages on a single instance: every receiver is local.</summary>
internal sealed class LocalChatMessenger(IMessageIdGenerator ids, IHubContext<ChatHub, IChatClient> hub) : IChatMessenger
{
    public async Task<SentMessage> SendToEveryoneAsync(UserInfo sender, string text, DateTime timestamp, CancellationToken cancellationToken)
    {
        var message = new ChatMessage(await ids.NextIdAsync(cancellationToken), null, sender, text, timestamp);
        await hub.Clients.All.ReceiveMessage(message);
        return new SentMessage(message);
    }

    public async Task<SentMessage> SendDirectAsync(UserInfo sender, string recipientId, string text, DateTime timestamp, CancellationToken cancellationToken)
    {
        var message = new ChatMessage(await ids.NextIdAsync(cancellationToken), null, sender, text, timestamp, RecipientId: recipientId);
        await hub.Clients.Users(SentMessage.DirectRecipients(sender.Id, recipientId)).ReceiveDirectMessage(message);
        return new SentMessage(message);
    }
}
