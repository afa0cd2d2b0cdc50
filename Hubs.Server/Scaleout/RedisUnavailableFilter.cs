using Microsoft.AspNetCore.SignalR;

namespace Hubs.Server.Scaleout;

/// <summary>
/// Turns "Redis unreachable" into a clear, retryable hub error instead of a generic failure; the connection
/// stays open. Nothing was acknowledged, so a resend with the same clientMessageId is safe.
/// </summary>
internal sealed class RedisUnavailableFilter(ILogger<RedisUnavailableFilter> logger) : IHubFilter
{
    public const string Message = "The chat is temporarily unavailable (shared state cannot be reached); nothing was sent. Please retry shortly.";

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(invocationContext);
        }
        catch (Exception e) when (RedisFailures.IsUnavailable(e))
        {
            ScaleoutLog.CallFailedRedisDown(logger, invocationContext.HubMethodName, e);
            throw new HubException(Message);
        }
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        try
        {
            await next(context, exception);
        }
        catch (Exception e) when (RedisFailures.IsUnavailable(e))
        {
            // The instance's connection index still lists it; the janitor removes it once Redis is back.
            ScaleoutLog.CleanupDeferred(logger, context.Context.ConnectionId, e);
        }
    }
}
