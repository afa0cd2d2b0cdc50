using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Hubs.Server.Limits;

/// <summary>
/// Refuses a connection beyond <see cref="LimitsOptions.MaxConnectionsPerInstance"/> hub connections on this
/// instance, or beyond <see cref="LimitsOptions.MaxConnectionsPerUser"/> of one user on this instance.
/// </summary>
internal sealed class ConnectionLimitFilter(IOptions<LimitsOptions> options, ILogger<ConnectionLimitFilter> logger) : IHubFilter
{
    private static readonly object s_countedKey = new();
    private static readonly object s_instanceCountedKey = new();
    private readonly ConcurrentDictionary<string, int> _connectionsByUser = new(StringComparer.Ordinal);
    private int _connections;

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        var instanceLimit = options.Value.MaxConnectionsPerInstance;
        if (Interlocked.Increment(ref _connections) > instanceLimit)
        {
            Interlocked.Decrement(ref _connections);
            LimitsLog.InstanceFull(logger, instanceLimit);
            context.ServiceProvider.GetRequiredService<Stats.HubMetrics>().ConnectionRejected(Stats.HubMetrics.RejectedInstanceConnectionLimit);
            throw new HubException($"Too many connections: this server already holds {instanceLimit}, its limit. Try again later.");
        }
        context.Context.Items[s_instanceCountedKey] = true;
        try
        {
            await OnUserConnectedAsync(context, next);
        }
        catch
        {
            // SignalR does not call OnDisconnectedAsync when OnConnectedAsync fails.
            ReleaseSlots(context.Context);
            throw;
        }
    }

    private async Task OnUserConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        var user = context.Context.UserIdentifier;
        if (user is null)
        {
            await next(context);
            return;
        }
        var limit = options.Value.MaxConnectionsPerUser;
        var count = _connectionsByUser.AddOrUpdate(user, 1, (_, n) => n + 1);
        if (count > limit)
        {
            Release(user);
            LimitsLog.TooManyConnections(logger, user, count - 1, limit);
            context.ServiceProvider.GetRequiredService<Stats.HubMetrics>().ConnectionRejected(Stats.HubMetrics.RejectedUserConnectionLimit);
            throw new HubException($"Too many connections: user '{user}' already has {limit} open, the limit.");
        }
        context.Context.Items[s_countedKey] = true;
        await next(context);
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        try
        {
            await next(context, exception);
        }
        finally
        {
            ReleaseSlots(context.Context);
        }
    }

    private void ReleaseSlots(HubCallerContext connection)
    {
        if (connection.Items.Remove(s_countedKey))
        {
            Release(connection.UserIdentifier!);
        }
        ReleaseInstanceSlot(connection);
    }

    private void ReleaseInstanceSlot(HubCallerContext context)
    {
        if (context.Items.Remove(s_instanceCountedKey))
        {
            Interlocked.Decrement(ref _connections);
        }
    }

    private void Release(string user)
    {
        // Remove the entry at zero so the map does not grow with every user ever seen.
        while (true)
        {
            var current = _connectionsByUser.GetValueOrDefault(user);
            if (current <= 1)
            {
                if (_connectionsByUser.TryRemove(new KeyValuePair<string, int>(user, current)) || current == 0)
                {
                    return;
                }
            }
            else if (_connectionsByUser.TryUpdate(user, current - 1, current))
            {
                return;
            }
        }
    }
}
