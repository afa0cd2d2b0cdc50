namespace Hubs.Contracts;

/// <summary>Client methods of <see cref="HubRoutes.Notifications"/> (server → client).</summary>
public interface INotificationClient
{
    /// <summary>A notification for a subscribed topic, or for everyone.</summary>
    Task ReceiveNotification(Notification notification);

    /// <summary>The server is about to close this connection on purpose, and says why.</summary>
    Task Disconnecting(DisconnectNotice notice);
}
