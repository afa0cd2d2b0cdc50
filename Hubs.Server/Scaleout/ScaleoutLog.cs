namespace Hubs.Server.Scaleout;

/// <summary>Scale-out log messages; event ids are stable (1400-1449) so alerts can key on them.</summary>
internal static partial class ScaleoutLog
{
    [LoggerMessage(1400, LogLevel.Warning, "Lost the Redis {ConnectionType} connection to {EndPoint} ({FailureType}); serving local connections only until it is back.")]
    public static partial void RedisConnectionFailed(ILogger logger, string connectionType, string endPoint, string failureType, Exception? exception);

    [LoggerMessage(1401, LogLevel.Information, "Redis {ConnectionType} connection to {EndPoint} restored.")]
    public static partial void RedisConnectionRestored(ILogger logger, string connectionType, string endPoint);

    [LoggerMessage(1402, LogLevel.Warning, "Instance {InstanceId} missed its heartbeat; removing its {Count} connection(s).")]
    public static partial void SweepingDeadInstance(ILogger logger, string instanceId, long count);

    [LoggerMessage(1403, LogLevel.Information, "Re-registered {Added} connection(s) and {Rejoined} room membership(s) of this instance ({InstanceId}) in Redis.")]
    public static partial void Reconciled(ILogger logger, string instanceId, int added, int rejoined);

    [LoggerMessage(1427, LogLevel.Information, "Removed {Removed} connection(s) of this instance ({InstanceId}) from Redis that closed while Redis could not be told.")]
    public static partial void RemovedClosed(ILogger logger, string instanceId, int removed);

    [LoggerMessage(1404, LogLevel.Debug, "Heartbeat or sweep skipped: Redis unreachable.")]
    public static partial void JanitorSkipped(ILogger logger, Exception exception);

    [LoggerMessage(1405, LogLevel.Warning, "Dropped a backplane message that could not be read.")]
    public static partial void UnreadableBusMessage(ILogger logger, Exception exception);

    [LoggerMessage(1406, LogLevel.Debug, "Delivering a backplane message to local connections failed.")]
    public static partial void LocalDeliveryFailed(ILogger logger, Exception exception);

    [LoggerMessage(1407, LogLevel.Information, "Caught up {Count} room message(s) missed while the Redis subscription was down.")]
    public static partial void CaughtUp(ILogger logger, int count);

    [LoggerMessage(1408, LogLevel.Debug, "Room catch-up postponed: Redis unreachable.")]
    public static partial void CatchUpPostponed(ILogger logger, Exception exception);

    [LoggerMessage(1409, LogLevel.Debug, "Hub call {Method} failed: Redis unreachable.")]
    public static partial void CallFailedRedisDown(ILogger logger, string method, Exception exception);

    [LoggerMessage(1410, LogLevel.Warning, "Clean-up of closed connection {ConnectionId} deferred until Redis is back.")]
    public static partial void CleanupDeferred(ILogger logger, string connectionId, Exception exception);

    [LoggerMessage(1412, LogLevel.Error, "Heartbeat or sweep failed; retrying at the next beat.")]
    public static partial void JanitorFailed(ILogger logger, Exception exception);

    [LoggerMessage(1411, LogLevel.Warning, "Subscribing to {Channel} failed; retrying.")]
    public static partial void SubscribeFailed(ILogger logger, string channel, Exception exception);

    [LoggerMessage(1413, LogLevel.Warning, "Ignored an unreadable admin command from Redis.")]
    public static partial void BadAdminCommand(ILogger logger, Exception exception);

    [LoggerMessage(1414, LogLevel.Debug, "Redis unreachable: message {MessageId} delivered to this instance's connections only.")]
    public static partial void DeliveredLocallyOnly(ILogger logger, long messageId, Exception exception);

    [LoggerMessage(1415, LogLevel.Information, "Redis unreachable: connection {ConnectionId} is served locally and registered once Redis is back.")]
    public static partial void RegistrationDeferred(ILogger logger, string connectionId, Exception exception);

    [LoggerMessage(1416, LogLevel.Debug, "Could not give up a send claim: Redis unreachable (it expires by itself).")]
    public static partial void ReleaseDeferred(ILogger logger, Exception exception);

    [LoggerMessage(1417, LogLevel.Information, "Copied {Count} send ack(s) given while Redis was unreachable into Redis.")]
    public static partial void JournalFlushed(ILogger logger, int count);

    [LoggerMessage(1418, LogLevel.Warning, "Redis subscription to {Channel} lost: this instance's probe did not come back within {Timeout}; re-subscribing.")]
    public static partial void SubscriptionLost(ILogger logger, string channel, TimeSpan timeout);

    [LoggerMessage(1419, LogLevel.Information, "Redis subscription to {Channel} delivers again after re-subscribing.")]
    public static partial void SubscriptionRestored(ILogger logger, string channel);

    [LoggerMessage(1420, LogLevel.Debug, "Re-subscribing to {Channel} failed; trying again after the next probe.")]
    public static partial void ResubscribeFailed(ILogger logger, string channel, Exception exception);

    [LoggerMessage(1421, LogLevel.Debug, "Subscription probe on {Channel} came back in {Elapsed}.")]
    public static partial void ProbeSeen(ILogger logger, string channel, TimeSpan elapsed);

    [LoggerMessage(1422, LogLevel.Debug, "Subscription probe on {Channel} not published: Redis unreachable.")]
    public static partial void ProbeNotPublished(ILogger logger, string channel, Exception exception);

    [LoggerMessage(1423, LogLevel.Error, "Checking the Redis subscription to {Channel} failed; checking again at the next interval.")]
    public static partial void SubscriptionCheckFailed(ILogger logger, string channel, Exception exception);

    [LoggerMessage(1424, LogLevel.Warning, "Redis may no longer hold this instance's connections and rooms ({Reason}); re-registering them, not ready until done.")]
    public static partial void ReassertionRequired(ILogger logger, string reason);

    [LoggerMessage(1425, LogLevel.Information, "This instance's connections and rooms are in Redis again ({Reason}), after {Elapsed}; ready.")]
    public static partial void Reasserted(ILogger logger, string reason, TimeSpan elapsed);

    // Per refused call: the incident itself is logged once, by 1424.
    [LoggerMessage(1426, LogLevel.Debug, "Redis no longer knows connection {ConnectionId} of this instance, which is in room {Room} here: answering \"temporarily unavailable\" and re-registering.")]
    public static partial void MembershipForgotten(ILogger logger, string connectionId, string room);
}
