namespace Hubs.Server.Stats;

/// <summary>Statistics log messages; event ids 5050-5099.</summary>
internal static partial class StatsLog
{
    [LoggerMessage(5050, LogLevel.Debug, "Stats stream opened for connection {ConnectionId}, one sample every {Interval}.")]
    public static partial void StreamOpened(ILogger logger, string connectionId, TimeSpan interval);

    [LoggerMessage(5051, LogLevel.Debug, "Stats stream of connection {ConnectionId} ended ({How}).")]
    public static partial void StreamClosed(ILogger logger, string connectionId, string how);
}
