namespace Hubs.Server.Lifetime;

/// <summary>Server lifetime log messages; event ids 5150-5169.</summary>
internal static partial class LifetimeLog
{
    [LoggerMessage(5150, LogLevel.Debug, "The server is stopping: asked hub connection {ConnectionId} to close (its client reconnects elsewhere).")]
    public static partial void ClosingForShutdown(ILogger logger, string connectionId);

    [LoggerMessage(5151, LogLevel.Information, "The server is stopping: {Count} hub connections were still open {WaitMs} ms after being asked to close; closing them without waiting longer.")]
    public static partial void ConnectionsStillOpenAtShutdown(ILogger logger, int count, long waitMs);
}
