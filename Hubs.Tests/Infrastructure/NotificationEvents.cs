using Hubs.Contracts;

namespace Hubs.Tests.Infrastructure;

/// <summary>Records every <see cref="INotificationClient"/> event a connection receives.</summary>
public sealed class NotificationEvents : INotificationClient
{
    public EventStream<Notification> Notifications { get; } = new();
    public EventStream<DisconnectNotice> Disconnecting { get; } = new();

    Task INotificationClient.ReceiveNotification(Notification notification) => Notifications.Add(notification);
    Task INotificationClient.Disconnecting(DisconnectNotice notice) => Disconnecting.Add(notice);
}
