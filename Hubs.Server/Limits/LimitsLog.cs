namespace Hubs.Server.Limits;

/// <summary>Limit log messages; event ids 1100-1199.</summary>
internal static partial class LimitsLog
{
    [LoggerMessage(1100, LogLevel.Debug, "Connection {ConnectionId} of {UserId} is over the call rate limit.")]
    public static partial void RateLimited(ILogger logger, string connectionId, string? userId);

    // Debug: a client at its limit retries its reconnects, and each refusal would log again; the refusals are counted by
    // the realtimehubs.connections.rejected metric. The slot only knows the limit was reached, not how many are open.
    [LoggerMessage(1101, LogLevel.Debug, "User {UserId} refused a connection: already at the limit of {Limit} open connection(s) on this instance.")]
    public static partial void TooManyConnections(ILogger logger, string userId, int limit);

    [LoggerMessage(1102, LogLevel.Information, "Refused a request to {Path} from origin {Origin}.")]
    public static partial void OriginRefused(ILogger logger, string path, string origin);

    [LoggerMessage(1103, LogLevel.Debug, "A call of {Target}, which hub filters never see, is over the call rate limit.")]
    public static partial void UnboundCallRateLimited(ILogger logger, string target);

    [LoggerMessage(1104, LogLevel.Information, "Closing a connection that kept calling over the rate limit (last call: {Target}).")]
    public static partial void ClosingFlooder(ILogger logger, string target);

    [LoggerMessage(1105, LogLevel.Information, "Refused a connection: this instance holds {Limit} connections, the limit.")]
    public static partial void InstanceFull(ILogger logger, int limit);

    [LoggerMessage(1106, LogLevel.Debug, "Connection {ConnectionId} refused a room: it is in {Limit} rooms, the limit.")]
    public static partial void TooManyRooms(ILogger logger, string connectionId, int limit);

    [LoggerMessage(1107, LogLevel.Information, "Closing a connection that sent a message over {Limit} bytes.")]
    public static partial void MessageTooLarge(ILogger logger, long limit);
}
