namespace Hubs.Server.Observability;

/// <summary>Hub-wide log messages; event ids 1900-1999.</summary>
internal static partial class HubLog
{
    [LoggerMessage(1900, LogLevel.Debug, "Hub call {Method} by {UserId} rejected: {Reason}")]
    public static partial void CallRejected(ILogger logger, string method, string? userId, string reason);

    [LoggerMessage(1901, LogLevel.Error, "Hub call {Method} by {UserId} failed.")]
    public static partial void CallFailed(ILogger logger, string method, string? userId, Exception exception);
}
