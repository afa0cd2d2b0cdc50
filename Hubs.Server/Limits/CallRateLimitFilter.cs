using System.Threading.RateLimiting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Hubs.Server.Limits;

/// <summary>
/// A token bucket per connection: a flooding client gets a clear HubException for the calls over the limit,
/// keeps its connection, and nobody else is slowed down.
/// </summary>
internal sealed class CallRateLimitFilter(IOptions<LimitsOptions> options, ILogger<CallRateLimitFilter> logger) : IHubFilter
{
    private static readonly object s_limiterKey = new();

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var context = invocationContext.Context;
        if (context.Items[s_limiterKey] is RateLimiter limiter)
        {
            using var lease = limiter.AttemptAcquire();
            if (!lease.IsAcquired)
            {
                LimitsLog.RateLimited(logger, context.ConnectionId, context.UserIdentifier);
                invocationContext.ServiceProvider.GetRequiredService<Stats.HubMetrics>().CallRateLimited(invocationContext.Hub.GetType().Name, invocationContext.HubMethodName);
                var settings = options.Value;
                throw new HubException(
                    $"Too many calls: at most {settings.CallsPerPeriod} per {settings.RatePeriod.TotalSeconds:0.###} s. Slow down and retry.");
            }
        }
        return await next(invocationContext);
    }

    public Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        var settings = options.Value;
        context.Context.Items[s_limiterKey] = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = settings.Burst,
            TokensPerPeriod = settings.CallsPerPeriod,
            ReplenishmentPeriod = settings.RatePeriod,
            QueueLimit = 0,
            AutoReplenishment = true,
        });
        return next(context);
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        try
        {
            await next(context, exception);
        }
        finally
        {
            if (context.Context.Items[s_limiterKey] is RateLimiter limiter)
            {
                await limiter.DisposeAsync();
            }
        }
    }
}
