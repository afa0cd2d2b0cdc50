using Microsoft.Extensions.Logging;

namespace Hubs.Client;

/// <summary>Log messages of the typed clients; event ids 3000-3099 are stable.</summary>
internal static partial class ClientLog
{
    [LoggerMessage(3000, LogLevel.Information, "Connected to {Hub} as connection {ConnectionId}.")]
    public static partial void Connected(ILogger logger, string hub, string connectionId);

    [LoggerMessage(3001, LogLevel.Warning, "Connection to {Hub} lost.")]
    public static partial void ConnectionLost(ILogger logger, string hub, Exception? error);

    [LoggerMessage(3002, LogLevel.Information, "Retrying {Hub} (attempt {Attempt}) in {DelayMs} ms.")]
    public static partial void Retrying(ILogger logger, string hub, int attempt, long delayMs, Exception? error);

    [LoggerMessage(3003, LogLevel.Error, "Gave up connecting to {Hub} after {Attempts} retries.")]
    public static partial void GaveUp(ILogger logger, string hub, int attempts, Exception? error);

    [LoggerMessage(3004, LogLevel.Warning, "Restoring state after connecting to {Hub} failed; the connection is restarted.")]
    public static partial void RestoreFailed(ILogger logger, string hub, Exception error);

    [LoggerMessage(3005, LogLevel.Error, "An event handler threw; the event was skipped.")]
    public static partial void HandlerFailed(ILogger logger, Exception error);

    [LoggerMessage(3006, LogLevel.Debug, "Call {Method} lost its connection; it is sent again after reconnecting.")]
    public static partial void CallInterrupted(ILogger logger, string method, Exception error);

    [LoggerMessage(3007, LogLevel.Debug, "Call {Method} is still in progress on the server; retrying in {DelayMs} ms.")]
    public static partial void CallStillInProgress(ILogger logger, string method, long delayMs);

    [LoggerMessage(3008, LogLevel.Information, "Re-joined room {Room}: {Missed} missed messages, history truncated: {Truncated}.")]
    public static partial void RoomRejoined(ILogger logger, string room, int missed, bool truncated);

    [LoggerMessage(3009, LogLevel.Warning, "Could not re-join room {Room}; it is dropped.")]
    public static partial void RoomRejoinFailed(ILogger logger, string room, Exception error);

    [LoggerMessage(3010, LogLevel.Warning, "Could not subscribe to topic {Topic} again; it is dropped.")]
    public static partial void TopicResubscribeFailed(ILogger logger, string topic, Exception error);
}
