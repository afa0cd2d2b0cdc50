using Hubs.Contracts;
using Hubs.Server.Chat;
using Hubs.Server.State;
using Microsoft.AspNetCore.SignalR;

namespace Hubs.Server.Scaleout;

/// <summary>
/// Global and direct messages across instances; while Redis is unreachable they still reach this instance's own
/// connections, with a fallback id and a <see cref="SentMessage.LocalOnly"/> result.
/// </summary>
/// <remarks>
/// The backplane publishes before it delivers locally, so a failure means nobody got the message yet and the local
/// delivery is its only one. A direct message whose recipient has no connection here fails as before ("temporarily
/// unavailable"): delivering it to the sender's tabs alone would be an ack for a message nobody received.
/// </remarks>
internal sealed class ClusterChatMessenger(
    IMessageIdGenerator ids,
    FallbackMessageIds fallbackIds,
    HubLifetimeManager<ChatHub> lifetimeManager,
    IHubContext<ChatHub, IChatClient> hub,
    ILogger<ClusterChatMessenger> logger) : IChatMessenger
{
    private readonly ClusterHubLifetimeManager<ChatHub> _local = (ClusterHubLifetimeManager<ChatHub>)lifetimeManager;

    public async Task<SentMessage> SendToEveryoneAsync(UserInfo sender, string text, DateTime timestamp, CancellationToken cancellationToken)
    {
        long? id = null;
        try
        {
            id = await ids.NextIdAsync(cancellationToken);
            var message = new ChatMessage(id.Value, null, sender, text, timestamp);
            await hub.Clients.All.ReceiveMessage(message);
            return new SentMessage(message);
        }
        catch (Exception e) when (RedisFailures.IsUnavailable(e))
        {
            var message = new ChatMessage(id ?? fallbackIds.Next(), null, sender, text, timestamp);
            ScaleoutLog.DeliveredLocallyOnly(logger, message.Id, e);
            await _local.SendAllLocalAsync(nameof(IChatClient.ReceiveMessage), [message], cancellationToken);
            return new SentMessage(message, LocalOnly: true);
        }
    }

    public async Task<SentMessage> SendDirectAsync(UserInfo sender, string recipientId, string text, DateTime timestamp, CancellationToken cancellationToken)
    {
        var recipients = SentMessage.DirectRecipients(sender.Id, recipientId);
        long? id = null;
        try
        {
            id = await ids.NextIdAsync(cancellationToken);
            var message = new ChatMessage(id.Value, null, sender, text, timestamp, RecipientId: recipientId);
            await hub.Clients.Users(recipients).ReceiveDirectMessage(message);
            return new SentMessage(message);
        }
        catch (Exception e) when (RedisFailures.IsUnavailable(e) && _local.HasLocalConnection(recipientId))
        {
            var message = new ChatMessage(id ?? fallbackIds.Next(), null, sender, text, timestamp, RecipientId: recipientId);
            ScaleoutLog.DeliveredLocallyOnly(logger, message.Id, e);
            await _local.SendUsersLocalAsync(recipients, nameof(IChatClient.ReceiveDirectMessage), [message], cancellationToken);
            return new SentMessage(message, LocalOnly: true);
        }
    }
}
