using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Hubs.Server.Scaleout;

/// <summary>
/// Every pub/sub subscription of this instance, each checked by its own probe (see <see cref="WatchedSubscription"/>);
/// readiness asks here whether one is known broken.
/// </summary>
/// <remarks>
/// StackExchange.Redis re-subscribes by itself after a reconnect, but it has lost subscriptions before while
/// reporting the connection restored: a re-subscribe racing a second reconnect, or a SUBSCRIBE followed by a stray
/// UNSUBSCRIBE (StackExchange.Redis issues #273, #517, #1110, #1586; reworked in 2.5 by PR #1947, and the
/// maintainers say current versions re-subscribe). A Redis-side refusal (an ACL change) or a kill of just the
/// subscriber connection can also leave the library believing it is subscribed. Nobody would notice: the instance's
/// clients simply stop getting events from the others. So each instance checks end to end, with its own messages.
/// </remarks>
internal sealed class RedisSubscriptions : IDisposable
{
    private readonly ConcurrentDictionary<RedisChannel, WatchedSubscription> _watched = new();
    private readonly IConnectionMultiplexer _redis;

    public RedisSubscriptions(IConnectionMultiplexer redis, InstanceIdentity instance, IOptions<RedisOptions> options, TimeProvider time,
        ILogger<RedisSubscriptions> logger)
    {
        _redis = redis;
        InstanceId = instance.Id;
        Options = options.Value;
        Time = time;
        Logger = logger;
        redis.ConnectionRestored += OnConnectionRestored;
    }

    internal IConnectionMultiplexer Redis => _redis;

    internal string InstanceId { get; }

    internal RedisOptions Options { get; }

    internal TimeProvider Time { get; }

    internal ILogger Logger { get; }

    /// <summary>Channels whose subscription is known not to deliver (its probe did not come back), until one does again.</summary>
    public IReadOnlyList<string> BrokenChannels => [.. _watched.Values.Where(w => w.IsBroken).Select(w => w.Channel.ToString())];

    /// <summary>Every subscription being watched.</summary>
    internal IReadOnlyCollection<WatchedSubscription> Watched => [.. _watched.Values];

    /// <summary>
    /// Subscribes to <paramref name="channel"/> (retrying while Redis is unreachable) and keeps checking it;
    /// <paramref name="onLost"/> gets the time the subscription was last known to deliver, <paramref name="onRestored"/>
    /// runs once a re-subscription delivers. Probes never reach <paramref name="onMessage"/>.
    /// </summary>
    /// <remarks>One subscriber per channel and instance: a re-subscription drops every handler of the channel.</remarks>
    public WatchedSubscription Watch(RedisChannel channel, Func<ChannelMessage, Task> onMessage, Action<DateTimeOffset>? onLost = null, Action? onRestored = null)
    {
        var watched = new WatchedSubscription(this, channel, onMessage, onLost, onRestored);
        if (!_watched.TryAdd(channel, watched))
        {
            throw new InvalidOperationException($"{channel} is already subscribed by this instance.");
        }
        watched.Start();
        return watched;
    }

    /// <inheritdoc cref="Watch(RedisChannel, Func{ChannelMessage, Task}, Action{DateTimeOffset}?, Action?)"/>
    public WatchedSubscription Watch(RedisChannel channel, Action<ChannelMessage> onMessage, Action<DateTimeOffset>? onLost = null, Action? onRestored = null) =>
        Watch(channel, message =>
        {
            onMessage(message);
            return Task.CompletedTask;
        }, onLost, onRestored);

    internal void Forget(WatchedSubscription watched) => _watched.TryRemove(new KeyValuePair<RedisChannel, WatchedSubscription>(watched.Channel, watched));

    public void Dispose()
    {
        _redis.ConnectionRestored -= OnConnectionRestored;
        foreach (var watched in _watched.Values)
        {
            watched.Dispose();
        }
    }

    /// <summary>A reconnect is when the library re-subscribes, so when a lost subscription starts: check at once.</summary>
    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        foreach (var watched in _watched.Values)
        {
            watched.CheckNow();
        }
    }
}
