namespace Hubs.Server.Chat;

/// <summary>Chat hub log messages; event ids are stable (1000-1099) so alerts can key on them.</summary>
internal static partial class ChatLog
{
    [LoggerMessage(1000, LogLevel.Information, "User {UserId} came online (connection {ConnectionId}).")]
    public static partial void UserCameOnline(ILogger logger, string userId, string connectionId);

    [LoggerMessage(1001, LogLevel.Information, "User {UserId} went offline (connection {ConnectionId}).")]
    public static partial void UserWentOffline(ILogger logger, string userId, string connectionId);

    [LoggerMessage(1002, LogLevel.Debug, "Connection {ConnectionId} of user {UserId} opened.")]
    public static partial void ConnectionOpened(ILogger logger, string connectionId, string userId);

    [LoggerMessage(1003, LogLevel.Debug, "Connection {ConnectionId} of user {UserId} closed.")]
    public static partial void ConnectionClosed(ILogger logger, string connectionId, string userId, Exception? exception);

    [LoggerMessage(1004, LogLevel.Debug, "User {UserId} joined room {Room}.")]
    public static partial void JoinedRoom(ILogger logger, string userId, string room);

    [LoggerMessage(1005, LogLevel.Debug, "User {UserId} left room {Room}.")]
    public static partial void LeftRoom(ILogger logger, string userId, string room);

    [LoggerMessage(1006, LogLevel.Debug, "Message {MessageId} from {UserId} delivered to {Target}.")]
    public static partial void MessageSent(ILogger logger, long messageId, string userId, string target);
}
