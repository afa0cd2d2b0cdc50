using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Hubs.Server.Scaleout;

/// <summary>
/// Readiness: Redis answers, every pub/sub subscription of this instance delivers, and Redis holds this instance's
/// connections and rooms (written back after a reconnect or a loss of data). While any fails, the instance serves
/// its connections but is not ready for more.
/// </summary>
internal sealed class RedisHealthCheck(IConnectionMultiplexer redis, RedisSubscriptions subscriptions, StateReassertion reassertion, TimeProvider time) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!redis.IsConnected)
        {
            return HealthCheckResult.Unhealthy("Redis is unreachable; reconnecting.");
        }
        TimeSpan latency;
        try
        {
            latency = await redis.GetDatabase().PingAsync().WaitAsync(Timeout, cancellationToken);
        }
        catch (Exception e) when (RedisFailures.IsUnavailable(e) || e is TimeoutException)
        {
            return HealthCheckResult.Unhealthy("Redis did not answer.", e);
        }
        // Redis answers, yet messages from the other instances would not reach this one's clients.
        if (subscriptions.BrokenChannels is { Count: > 0 } broken)
        {
            return HealthCheckResult.Unhealthy($"Not receiving from Redis channel(s) {string.Join(", ", broken)}; re-subscribing.");
        }
        // Redis answers, yet does not (or may not) hold this instance's users: the others would not see them.
        if (reassertion.Status is var (reason, since))
        {
            return HealthCheckResult.Unhealthy(
                $"Re-registering this instance's connections and rooms in Redis ({reason}, {(time.GetUtcNow() - since).TotalSeconds:0.0} s ago).");
        }
        return HealthCheckResult.Healthy($"Redis answered in {latency.TotalMilliseconds:0.0} ms.");
    }
}
