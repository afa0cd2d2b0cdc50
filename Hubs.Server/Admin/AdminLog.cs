namespace Hubs.Server.Admin;

/// <summary>Admin log messages; event ids 5100-5149. Administrative actions are logged at Information.</summary>
internal static partial class AdminLog
{
    [LoggerMessage(5100, LogLevel.Information, "Closed {Connections} connection(s) of user {UserId}: {Reason}")]
    public static partial void UserDisconnected(ILogger logger, string userId, int connections, string reason);

    [LoggerMessage(5101, LogLevel.Information, "Removed user {UserId} from room {Room} ({Connections} connection(s)).")]
    public static partial void RemovedFromRoom(ILogger logger, string userId, string room, int connections);
}
