using Microsoft.AspNetCore.SignalR;

namespace Hubs.Server.Admin;

/// <summary>Keeps <see cref="ConnectionRegistry"/> current for every hub, without the hubs knowing about it.</summary>
internal sealed class ConnectionTrackingFilter(ConnectionRegistry registry) : IHubFilter
{
    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        var caller = context.Context;
        var userId = caller.UserIdentifier;
        if (userId is null)
        {
            await next(context);
            return;
        }
        // Tracked before the hub's own OnConnectedAsync, so a disconnect request cannot miss a connection that is still starting.
        registry.Add(new TrackedConnection(caller.ConnectionId, userId, context.Hub.GetType(), caller));
        try
        {
            await next(context);
        }
        catch
        {
            // SignalR does not call OnDisconnectedAsync when OnConnectedAsync fails.
            registry.Remove(userId, caller.ConnectionId);
            throw;
        }
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        try
        {
            await next(context, exception);
        }
        finally
        {
            if (context.Context.UserIdentifier is { } userId)
            {
                registry.Remove(userId, context.Context.ConnectionId);
            }
        }
    }
}
