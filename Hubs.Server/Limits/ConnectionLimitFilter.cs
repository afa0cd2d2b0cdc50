using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Hubs.Server.Limits;

/// <summary>Refuses a user's connection beyond <see cref="LimitsOptions.MaxConnectionsPerUser"/> on this instance.</summary>
internal sealed class ConnectionLimitFilter(IOptions<LimitsOptions> options, ILogger<ConnectionLimitFilter> logger) : IHubFilter
{
    private static readonly object s_countedKey = new();
    private readonly ConcurrentDictionary<string, int> _connectionsByUser = new(StringComparer.Ordinal);

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
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
            if (context.Context.Items.ContainsKey(s_countedKey))
            {
                Release(context.Context.UserIdentifier!);
            }
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
