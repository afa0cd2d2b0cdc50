namespace Hubs.Server.Observability;

/// <summary>Hub-wide log messages; event ids 1900-1999.</summary>
internal static partial class HubLog
{
    [LoggerMessage(1900, LogLevel.Debug, "Hub call {Method} by {UserId} rejected: {Reason}")]
    public static partial void CallRejected(ILogger logger, string method, string? userId, string reason);

    [LoggerMessage(1901, LogLevel.Error, "Hub call {Method} by {UserId} failed.")]
    public static partial void CallFailed(ILogger logger, string method, string? userId, Exception exception);

    // Debug: during a Redis outage every scrape fails, and the outage is already logged as a warning.
    [LoggerMessage(1902, LogLevel.Debug, "Could not sample online users and rooms for the metrics scrape; those gauges are left out.")]
    public static partial void GaugeSampleFailed(ILogger logger, Exception exception);
}
