using Hubs.Contracts;
using Hubs.Server.State;
using Hubs.Server.Stats;
using Microsoft.AspNetCore.SignalR;

namespace Hubs.Server.Notifications;

/// <summary>Publishes notifications through the hub context, so a backplane carries them to every instance.</summary>
public sealed class NotificationPublisher(
    IHubContext<NotificationHub, INotificationClient> hub,
    IMessageIdGenerator ids,
    HubMetrics metrics,
    TimeProvider time,
    ILogger<NotificationPublisher> logger)
{
    /// <summary>Sends to a validated topic's subscribers, or to every connected notification client when <paramref name="topic"/> is <c>null</c>.</summary>
    public async Task<Notification> PublishAsync(string? topic, string title, string body, CancellationToken cancellationToken)
    {
        var notification = new Notification(await ids.NextIdAsync(cancellationToken), topic, title, body, time.GetUtcNow().UtcDateTime);
        var audience = topic is null ? hub.Clients.All : hub.Clients.Group(TopicGroups.For(topic));
        await audience.ReceiveNotification(notification);
        metrics.NotificationPublished(toEveryone: topic is null);
        NotificationLog.Published(logger, notification.Id, topic ?? "everyone");
        return notification;
    }
}
