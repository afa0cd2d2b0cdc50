namespace Hubs.Server.Limits;

/// <summary>Slow-consumer log messages; event ids 1700-1719.</summary>
internal static partial class SlowConsumerLog
{
    [LoggerMessage(1700, LogLevel.Warning,
        "Connection {ConnectionId} of {UserId} does not read: {BufferedBytes} bytes wait for it, the limit is {Limit}. Closing it.")]
    public static partial void Dropped(ILogger logger, string connectionId, string? userId, long bufferedBytes, long limit);

    [LoggerMessage(1701, LogLevel.Debug, "Connection {ConnectionId} ended with {BufferedBytes} bytes still unsent after the drain timeout; aborted.")]
    public static partial void DrainTimedOut(ILogger logger, string connectionId, long bufferedBytes);

    [LoggerMessage(1702, LogLevel.Debug, "Forwarding to connection {ConnectionId} stopped.")]
    public static partial void ForwardingFailed(ILogger logger, string connectionId, Exception exception);
}
