namespace Hubs.Server.Limits;

/// <summary>Limit log messages; event ids 1100-1199.</summary>
internal static partial class LimitsLog
{
    [LoggerMessage(1100, LogLevel.Debug, "Connection {ConnectionId} of {UserId} is over the call rate limit.")]
    public static partial void RateLimited(ILogger logger, string connectionId, string? userId);

    [LoggerMessage(1101, LogLevel.Information, "User {UserId} refused a connection: {Connections} open, the limit is {Limit}.")]
    public static partial void TooManyConnections(ILogger logger, string userId, int connections, int limit);

    [LoggerMessage(1102, LogLevel.Information, "Refused a request to {Path} from origin {Origin}.")]
    public static partial void OriginRefused(ILogger logger, string path, string origin);
}
