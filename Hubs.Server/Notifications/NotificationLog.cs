namespace Hubs.Server.Notifications;

/// <summary>Notification log messages; event ids 5000-5049.</summary>
internal static partial class NotificationLog
{
    [LoggerMessage(5000, LogLevel.Debug, "User {UserId} subscribed to topic {Topic}.")]
    public static partial void Subscribed(ILogger logger, string userId, string topic);

    [LoggerMessage(5001, LogLevel.Debug, "User {UserId} unsubscribed from topic {Topic}.")]
    public static partial void Unsubscribed(ILogger logger, string userId, string topic);

    [LoggerMessage(5002, LogLevel.Debug, "Notification {NotificationId} published to {Audience}.")]
    public static partial void Published(ILogger logger, long notificationId, string audience);

    [LoggerMessage(5003, LogLevel.Debug, "System message {MessageId} posted to room {Room}.")]
    public static partial void PostedToRoom(ILogger logger, long messageId, string room);
}
