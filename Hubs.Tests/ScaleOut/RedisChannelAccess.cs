using StackExchange.Redis;

namespace Hubs.Tests.ScaleOut;

/// <summary>
/// Makes a real redis-server lose one channel's subscriptions the way a client library can, and keep them lost:
/// an ACL lets the (default) user publish on the channel but no longer subscribe to it, and every subscriber
/// connection is killed. The library reconnects and re-subscribes; Redis refuses that channel and accepts the others.
/// </summary>
internal sealed class RedisChannelAccess(IServer server)
{
    public static RedisChannelAccess Of(IConnectionMultiplexer admin) => new(admin.GetServers()[0]);

    /// <summary>Subscribers of <paramref name="channel"/> lose it, and cannot subscribe again until <see cref="RestoreAsync"/>.</summary>
    public async Task RefuseSubscriptionsAsync(RedisChannel channel)
    {
        var others = (await server.SubscriptionChannelsAsync()).Where(c => c != channel).Select(c => (object)("&" + c));
        // Root permissions: every command, every channel but this one (plus the library's own "__" channels);
        // one selector adds PUBLISH on this one, so probes and messages are still accepted, only never delivered.
        object[] rule = ["SETUSER", "default", "resetchannels", "&__*", .. others, $"(+publish &{channel})"];
        await server.ExecuteAsync("ACL", rule);
        await server.ExecuteAsync("CLIENT", "KILL", "TYPE", "pubsub");
    }

    public Task RestoreAsync() => server.ExecuteAsync("ACL", "SETUSER", "default", "allchannels", "clearselectors");

    /// <summary>How many connections are subscribed to <paramref name="channel"/>.</summary>
    public Task<long> SubscribersAsync(RedisChannel channel) => server.SubscriptionSubscriberCountAsync(channel);
}
