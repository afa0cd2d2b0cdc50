using Hubs.Contracts;
using Hubs.Server.Chat;
using Hubs.Server.Presence;
using Hubs.Server.Rooms;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Hubs.Server.Scaleout;

/// <summary>
/// Keeps the cluster free of ghosts. Every <see cref="RedisOptions.HeartbeatInterval"/> it renews this
/// instance's heartbeat key (which expires after Redis:PresenceExpiry), and removes the connections of every
/// instance whose key has expired (killed, crashed, cut off), telling the others UserLeft / UserDisconnected.
/// </summary>
/// <remarks>
/// After Redis was unreachable, or when Redis is found to have forgotten this instance (its own heartbeat key gone at
/// a beat, or a member's connection unknown to Redis, see <see cref="OutageTolerantRoomMembershipStore"/>: the others
/// swept it, or Redis lost its data), it reconciles at once rather than at the next beat: open connections that are
/// missing are registered again with their rooms, open ones Redis still indexes get back any room Redis forgot (a
/// restart from an older snapshot, an eviction), and connections closed meanwhile are removed, so the shared state
/// matches what this instance serves. <see cref="StateReassertion"/> keeps the instance not ready only until its open
/// connections and their rooms are back; the removals (and their UserLeft / UserDisconnected) may wait a while longer
/// for the other instances to listen again, without holding up readiness.
/// </remarks>
internal sealed partial class InstanceJanitor(
    IConnectionMultiplexer redis,
    RedisKeys keys,
    InstanceIdentity instance,
    RedisPresenceStore presence,
    RedisRoomMembershipStore rooms,
    HubLifetimeManager<ChatHub> lifetimeManager,
    IHubContext<ChatHub, IChatClient> hub,
    FallbackMessageIds fallbackIds,
    OutageTolerantSendDeduplicator sends,
    OutageDepartures departures,
    StateReassertion reassertion,
    IOptions<RedisOptions> options,
    TimeProvider time,
    ILogger<InstanceJanitor> logger) : BackgroundService
{
    /// <summary>
    /// How soon a re-assertion that could not finish is tried again while Redis answers (waiting for the others to
    /// listen, or a command that timed out): short, because the instance is not ready meanwhile.
    /// </summary>
    private static readonly TimeSpan ReassertRetry = TimeSpan.FromMilliseconds(250);

    /// <summary>The same while Redis is unreachable: the reconnect wakes the janitor anyway; this is the fallback.</summary>
    private static readonly TimeSpan ReassertRetryDisconnected = TimeSpan.FromSeconds(1);

    private readonly ClusterHubLifetimeManager<ChatHub> _local = (ClusterHubLifetimeManager<ChatHub>)lifetimeManager;
    private long _sweepNotBeforeTicks;

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    private IDatabase Db => redis.GetDatabase();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        redis.ConnectionFailed += OnConnectionFailed;
        redis.ConnectionRestored += OnConnectionRestored;
        try
        {
            using var timer = new PeriodicTimer(options.Value.HeartbeatInterval, time);
            // Kept across rounds: a PeriodicTimer allows one pending wait, and a semaphore wait left behind would
            // swallow the next wake-up.
            Task<bool>? tick = null;
            Task? wake = null;
            var first = true;
            while (!stoppingToken.IsCancellationRequested)
            {
                TimeSpan? retry = null;
                try
                {
                    if (await RunOnceAsync(first))
                    {
                        retry = ReassertRetry;
                    }
                    first = false;
                }
                catch (Exception e) when (RedisFailures.IsUnavailable(e))
                {
                    ScaleoutLog.JanitorSkipped(logger, e);
                    // Whether this round's writes landed is unknown: write everything again once Redis answers.
                    reassertion.Require("a heartbeat could not reach Redis", now: false);
                    retry = redis.IsConnected ? ReassertRetry : ReassertRetryDisconnected;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Never let one bad round stop the heartbeat (and with it this instance's presence). No quick
                    // retry: a round that fails for another reason would most likely fail again, and log each time.
                    // No re-assertion either: a failing sweep (say an unreadable entry of another instance) says
                    // nothing about this instance's state, and would make every instance flap between ready and not.
                    // A re-assertion that failed itself is still pending (only its completion clears it), so it is
                    // tried again at the next beat and the instance stays not ready meanwhile.
                    ScaleoutLog.JanitorFailed(logger, e);
                }
                tick ??= timer.WaitForNextTickAsync(stoppingToken).AsTask();
                wake ??= reassertion.WaitForRequestAsync(stoppingToken);
                // A back-off between polls of Redis (whether the others listen, or it answers again), not a wait for
                // an event: the events that end it (a reconnect, a request) wake the loop through `wake`.
                var woke = await Task.WhenAny(retry is { } delay ? [tick, wake, Task.Delay(delay, time, stoppingToken)] : [tick, wake]);
                if (woke == tick)
                {
                    var ticked = tick;
                    tick = null;
                    if (!await ticked)
                    {
                        break;
                    }
                }
                else if (woke == wake)
                {
                    wake = null;
                    await woke;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down; the heartbeat runs out and any connections left are swept by the others.
        }
        finally
        {
            redis.ConnectionFailed -= OnConnectionFailed;
            redis.ConnectionRestored -= OnConnectionRestored;
        }
    }

    /// <summary>One heartbeat: renew, reconcile when needed, sweep the dead.</summary>
    /// <returns>
    /// <c>true</c> when the re-assertion is still pending (asked again meanwhile), or the removal of connections that
    /// closed meanwhile waits for the others to listen: try again soon.
    /// </returns>
    internal async Task<bool> RunOnceAsync(bool first = false)
    {
        var previous = await Db.StringSetAndGetAsync(keys.InstanceAlive(instance.Id), Now.Ticks, options.Value.HeartbeatLifetime);
        await Db.SetAddAsync(keys.Instances, instance.Id);
        if (fallbackIds.NeedsSlot)
        {
            await fallbackIds.ReserveAsync(Db, keys, time);
        }
        var copied = await sends.FlushAsync();
        if (copied > 0)
        {
            ScaleoutLog.JournalFlushed(logger, copied);
        }
        if (previous.IsNull && !first)
        {
            // Expired (this instance was stalled, and may have been swept) or lost with the rest of Redis's data.
            reassertion.Require("this instance's heartbeat key was gone from Redis", now: false);
        }
        if (reassertion.Pending)
        {
            await ReassertAsync();
        }
        // Only two cheap commands per retry while the others do not listen: the index is not read again.
        var waiting = (_closed.Count > 0 || _announcements.Count > 0) && !await AnnounceAndRemoveClosedAsync();
        if (time.GetUtcNow().UtcTicks >= Interlocked.Read(ref _sweepNotBeforeTicks))
        {
            if (!reassertion.Pending && _closed.Count == 0 && _announcements.Count == 0 && !departures.IsEmpty)
            {
                await AnnounceDeparturesAsync();
            }
            await SweepDeadInstancesAsync();
        }
        return reassertion.Pending || waiting;
    }

    /// <summary>
    /// While Redis is unreachable nothing of this instance can be written; and whatever Redis holds when it is back
    /// (kept, or lost by an empty restart) must be checked before the instance calls itself ready again.
    /// </summary>
    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e) =>
        reassertion.Require("the connection to Redis was lost", now: false);

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        // Redis may have lost its data, and with it the slot counter: take a slot nobody else holds now.
        fallbackIds.Renew();
        // After an outage every heartbeat may have run out; give the live instances one expiry to renew
        // theirs before anyone is swept, instead of announcing their users gone and back.
        Interlocked.Exchange(ref _sweepNotBeforeTicks, (time.GetUtcNow() + options.Value.PresenceExpiry).UtcTicks);
        // Now, not at the next beat (up to PresenceExpiry / 3 away): until then an empty Redis would answer "not a
        // member" to this instance's members and leave them out of members lists.
        reassertion.Require("the connection to Redis was restored", now: true);
    }

    /// <summary>
    /// Pub/sub delivers only to current subscribers, and after an outage the other instances re-subscribe at
    /// their own pace: the events of a reconcile (and its removals) wait until every registered instance
    /// listens again, for at most <see cref="RedisOptions.PresenceExpiry"/> (a dead instance stays registered until
    /// swept). Readiness never waits for this.
    /// </summary>
    private async Task<bool> PeersListenAsync()
    {
        // Every registered instance, not only those with a heartbeat: a long outage outlives them all.
        var instances = await Db.SetLengthAsync(keys.Instances);
        var server = redis.GetServers().FirstOrDefault(candidate => candidate.IsConnected && !candidate.IsReplica);
        return server is null || await server.SubscriptionSubscriberCountAsync(keys.HubChannel(nameof(ChatHub))) >= instances;
    }
}
