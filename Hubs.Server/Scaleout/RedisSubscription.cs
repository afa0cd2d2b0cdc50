using StackExchange.Redis;

namespace Hubs.Server.Scaleout;

/// <summary>
/// Subscribes to a channel, retrying while Redis is unreachable. StackExchange.Redis re-subscribes after reconnects;
/// <see cref="WatchedSubscription"/> checks that it did.
/// </summary>
internal static class RedisSubscription
{
    public static async Task<ChannelMessageQueue> SubscribeAsync(IConnectionMultiplexer redis, RedisChannel channel, ILogger logger, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return await redis.GetSubscriber().SubscribeAsync(channel);
            }
            catch (Exception e) when (RedisFailures.IsUnavailable(e))
            {
                ScaleoutLog.SubscribeFailed(logger, channel.ToString(), e);
            }
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }
    }
}
