using Hubs.Server.Auth;
using Hubs.Server.Chat;
using Microsoft.AspNetCore.SignalR;

namespace Hubs.Server.Scaleout;

/// <summary>
/// Turns "Redis unreachable" into a clear, retryable hub error instead of a generic failure; the connection
/// stays open. Nothing was acknowledged, so a resend with the same clientMessageId is safe.
/// </summary>
internal sealed class RedisUnavailableFilter(
    OutageDepartures departures,
    HubLifetimeManager<ChatHub> chatLifetimeManager,
    ILogger<RedisUnavailableFilter> logger) : IHubFilter
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
        if (context.Hub is ChatHub && chatLifetimeManager is ClusterHubLifetimeManager<ChatHub> leaving)
        {
            // Before the hub removes the connection from Redis: the janitor must not write it back meanwhile.
            leaving.MarkLeaving(context.Context.ConnectionId);
        }
        try
        {
            await next(context, exception);
        }
        catch (Exception e) when (RedisFailures.IsUnavailable(e))
        {
            // The janitor removes it once Redis is back (the hub's groups are still known here: the lifetime
            // manager forgets them only after this), and tells the others even if Redis lost its data meanwhile.
            ScaleoutLog.CleanupDeferred(logger, context.Context.ConnectionId, e);
            if (context.Hub is ChatHub && chatLifetimeManager is ClusterHubLifetimeManager<ChatHub> chat && context.Context.User is { } principal)
            {
                var connectionId = context.Context.ConnectionId;
                departures.Add(new Departure(connectionId, principal.ToUserInfo(), [.. chat.GroupsOf(connectionId)]));
            }
        }
    }
}
