using Microsoft.AspNetCore.SignalR;

namespace Hubs.Server.Observability;

/// <summary>
/// Wraps each hub call, connect and disconnect in a <see cref="HubLogScope"/>, so every log written on the way
/// (hub, filters, stores) carries the connection and user id. Registered first, so it is the outermost filter.
/// </summary>
/// <remarks>SignalR has no scope of its own with the user id; log scopes flow with the async context, so one here covers everything below.</remarks>
internal sealed class HubLogScopeFilter(ILogger<HubLogScopeFilter> logger) : IHubFilter
{
    private static readonly object s_scopeKey = new();

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        using var scope = logger.BeginScope(ScopeOf(invocationContext.Context, invocationContext.Hub));
        return await next(invocationContext);
    }

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        using var scope = logger.BeginScope(ScopeOf(context.Context, context.Hub));
        await next(context);
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        using var scope = logger.BeginScope(ScopeOf(context.Context, context.Hub));
        await next(context, exception);
    }

    private static HubLogScope ScopeOf(HubCallerContext caller, Hub hub)
    {
        if (caller.Items.TryGetValue(s_scopeKey, out var existing) && existing is HubLogScope scope)
        {
            return scope;
        }
        scope = new HubLogScope(hub.GetType().Name, caller.ConnectionId, caller.UserIdentifier);
        caller.Items[s_scopeKey] = scope;
        return scope;
    }
}
