using Hubs.Contracts;
using Hubs.Server.Auth;
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
internal sealed class InstanceJanitor(
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
    private DateTimeOffset? _deferredSince;

    /// <summary>
    /// Connections of this instance that Redis still indexes but that closed while Redis could not be told: removed,
    /// with their events, once the others listen (<see cref="AnnounceAndRemoveClosedAsync"/>). Only the janitor's loop uses it.
    /// </summary>
    private readonly Dictionary<string, UserInfo> _closed = new(StringComparer.Ordinal);

    /// <summary>
    /// UserConnected / UserJoined of a re-assertion, whose writes are done at once (readiness) but whose events go out
    /// with the removals, once the others listen: pub/sub would not deliver them to an instance not re-subscribed yet.
    /// </summary>
    private readonly List<Announcement> _announcements = [];

    /// <summary>What <see cref="_announcements"/> holds, so a second re-assertion before they go out adds nothing twice.</summary>
    private readonly HashSet<(string ConnectionId, string? Room)> _announced = [];

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

    private async Task SweepDeadInstancesAsync()
    {
        foreach (var other in await Db.SetMembersAsync(keys.Instances))
        {
            var id = (string)other!;
            if (id == instance.Id || await Db.KeyExistsAsync(keys.InstanceAlive(id)))
            {
                continue;
            }
            var connections = await Db.HashGetAllAsync(keys.InstanceConnections(id));
            if (connections.Length > 0)
            {
                ScaleoutLog.SweepingDeadInstance(logger, id, connections.Length);
            }
            foreach (var entry in connections)
            {
                await RemoveAsync(id, entry.Name!, ConnectionOwner.Parse(entry.Value!));
            }
            // Another sweeper may be half-way through the same instance: forget it only when nothing is left.
            if (await Db.HashLengthAsync(keys.InstanceConnections(id)) == 0)
            {
                await Db.SetRemoveAsync(keys.Instances, id);
            }
        }
    }

    /// <summary>
    /// Writes this instance's open connections and their rooms back into Redis and, once nothing asked again
    /// meanwhile, ends the re-assertion (the instance is ready again). Connections Redis still indexes but that are
    /// closed here are left to <see cref="AnnounceAndRemoveClosedAsync"/>, and so are the events of what is written back.
    /// </summary>
    private async Task ReassertAsync()
    {
        var version = reassertion.Version;
        var indexed = (await Db.HashGetAllAsync(keys.InstanceConnections(instance.Id)))
            .ToDictionary(entry => (string)entry.Name!, entry => ConnectionOwner.Parse(entry.Value!), StringComparer.Ordinal);
        var open = _local.LocalConnections.ToDictionary(connection => connection.ConnectionId, StringComparer.Ordinal);
        _closed.Clear();
        foreach (var (connectionId, user) in indexed.Where(entry => !open.ContainsKey(entry.Key)))
        {
            _closed[connectionId] = user;
        }
        var added = 0;
        foreach (var connection in open.Values.Where(connection => !indexed.ContainsKey(connection.ConnectionId)))
        {
            if (await RegisterAsync(connection))
            {
                added++;
            }
        }
        var rejoined = await RejoinForgottenRoomsAsync([.. open.Values.Where(connection => indexed.ContainsKey(connection.ConnectionId))]);
        if (added + rejoined > 0)
        {
            ScaleoutLog.Reconciled(logger, instance.Id, added, rejoined);
        }
        reassertion.TryComplete(version);
    }

    /// <summary>
    /// Open connections that Redis still indexes may have lost rooms all the same: Redis restarted from a snapshot
    /// older than their joins, or evicted keys. Each room of the connection's SignalR group here that Redis does not
    /// list for it is joined again (UserJoined only when the user was not in the room any more).
    /// </summary>
    /// <remarks>
    /// A room missing from Redis while the connection is still in the group here is either such a loss, or a removal
    /// that Redis has made but whose group removal has not reached this instance yet: the connection's own leave (its
    /// group removal follows the store's at once, on this instance) or an administrator's (its group removal is
    /// published and arrives a moment later). Redis cannot tell them apart cheaply: nothing records removals. So this
    /// favours the members: a room the group still holds once joined again here is kept, and one whose group removal
    /// arrived meanwhile is left again. Only an administrator's removal whose group removal arrives after that check,
    /// during a re-assertion (a window of one pub/sub delivery), is undone; the administrator sees the user still
    /// listed and removes them again. Refusing a member "not a member" for good after a data loss would be worse.
    /// </remarks>
    /// <returns>How many memberships were written back.</returns>
    private async Task<int> RejoinForgottenRoomsAsync(IReadOnlyList<HubConnectionContext> connections)
    {
        var grouped = connections
            .Select(connection => (Connection: connection, Groups: _local.GroupsOf(connection.ConnectionId)))
            .Where(candidate => candidate.Groups.Count > 0)
            .ToList();
        // Pipelined: one round trip for all of them, however many connections this instance serves.
        var known = await Task.WhenAll(grouped.Select(candidate => Db.SetMembersAsync(keys.ConnectionRooms(candidate.Connection.ConnectionId))));
        var rejoined = 0;
        for (var i = 0; i < grouped.Count; i++)
        {
            var (connection, groups) = grouped[i];
            var inRedis = known[i].Select(room => (string)room!).ToHashSet(StringComparer.Ordinal);
            foreach (var room in groups.Where(room => !inRedis.Contains(room)))
            {
                if (await RejoinAsync(connection, room))
                {
                    rejoined++;
                }
            }
        }
        return rejoined;
    }

    /// <summary>Joins a connection to a room Redis forgot (see <see cref="RejoinForgottenRoomsAsync"/>).</summary>
    private async Task<bool> RejoinAsync(HubConnectionContext connection, string room)
    {
        var user = connection.User.ToUserInfo();
        var change = await rooms.JoinAsync(room, user, connection.ConnectionId, CancellationToken.None);
        if (!change.ConnectionChanged)
        {
            // Joined again meanwhile by the connection itself.
            return false;
        }
        // Left, or removed by an administrator, since the groups were read: that removal stands. Closing (its clean-up
        // may have removed it from Redis just before this join, which nothing would undo): the connection is going.
        if (_local.IsLeaving(connection.ConnectionId) || !_local.GroupsOf(connection.ConnectionId).Contains(room, StringComparer.Ordinal))
        {
            await rooms.LeaveAsync(room, user.Id, connection.ConnectionId, CancellationToken.None);
            return false;
        }
        if (change.UserChanged)
        {
            var joined = new RoomEvent(room, user, Now);
            Announce(connection.ConnectionId, room, () => hub.Clients.GroupExcept(room, [connection.ConnectionId]).UserJoined(joined));
        }
        return true;
    }

    /// <summary>
    /// Sends the events of the re-assertion (<see cref="_announcements"/>) and removes the connections in
    /// <see cref="_closed"/>, once every registered instance listens again (or after
    /// <see cref="RedisOptions.PresenceExpiry"/> at most, see <see cref="PeersListenAsync"/>).
    /// </summary>
    /// <returns><c>false</c> while it waits for the others to listen.</returns>
    private async Task<bool> AnnounceAndRemoveClosedAsync()
    {
        if (!await PeersListenAsync())
        {
            // Their events would miss the others' clients. Polled (the janitor retries soon) for a bounded time:
            // never held up here, or this instance's own heartbeat would run out.
            var since = _deferredSince ??= time.GetUtcNow();
            if (time.GetUtcNow() - since < options.Value.PresenceExpiry)
            {
                return false;
            }
        }
        _deferredSince = null;
        while (_announcements.Count > 0)
        {
            var announcement = _announcements[0];
            if (StillTrue(announcement))
            {
                await announcement.Send();
            }
            _announcements.RemoveAt(0);
            _announced.Remove((announcement.ConnectionId, announcement.Room));
        }
        var removed = 0;
        foreach (var (connectionId, user) in _closed.ToList())
        {
            await RemoveAsync(instance.Id, connectionId, user);
            _closed.Remove(connectionId);
            // Removed just now, with its events, from what Redis kept.
            departures.Remove(connectionId);
            removed++;
        }
        if (removed > 0)
        {
            ScaleoutLog.RemovedClosed(logger, instance.Id, removed);
        }
        return true;
    }

    /// <summary>Removes a connection that is gone, in the same order and with the same events as a normal close.</summary>
    private async Task RemoveAsync(string instanceId, string connectionId, UserInfo user)
    {
        foreach (var room in await rooms.RemoveConnectionAsync(user.Id, connectionId, CancellationToken.None))
        {
            await hub.Clients.Group(room).UserLeft(new RoomEvent(room, user, Now));
        }
        // Last, because it also drops the index entry: a sweep cut short is simply done again.
        if (await presence.RemoveConnectionAsync(instanceId, user.Id, connectionId))
        {
            await hub.Clients.All.UserDisconnected(new UserEvent(user, Now));
        }
    }

    /// <summary>
    /// Connections that closed during an outage and that Redis no longer knew when it came back (it lost its data, or
    /// they opened during the outage): once every live instance has had <see cref="RedisOptions.PresenceExpiry"/>
    /// to register its own connections again, the others are told about each room the user is no longer in and
    /// about the user going offline, if nobody registered them meanwhile.
    /// </summary>
    private async Task AnnounceDeparturesAsync()
    {
        foreach (var departure in departures.Snapshot())
        {
            var user = departure.User;
            // Whatever Redis still holds of the connection goes the normal way.
            var left = (await rooms.RemoveConnectionAsync(user.Id, departure.ConnectionId, CancellationToken.None)).ToHashSet(StringComparer.Ordinal);
            foreach (var room in departure.Rooms.Where(room => !left.Contains(room)))
            {
                if ((await rooms.GetMembersAsync(room, CancellationToken.None)).All(member => member.Id != user.Id))
                {
                    left.Add(room);
                }
            }
            foreach (var room in left)
            {
                await hub.Clients.Group(room).UserLeft(new RoomEvent(room, user, Now));
            }
            if (await presence.RemoveConnectionAsync(instance.Id, user.Id, departure.ConnectionId) || !await presence.IsOnlineAsync(user.Id, CancellationToken.None))
            {
                await hub.Clients.All.UserDisconnected(new UserEvent(user, Now));
            }
            departures.Remove(departure.ConnectionId);
        }
    }

    /// <summary>
    /// Registers an open local connection again, as if it had just connected and rejoined its rooms (its events are
    /// sent once the others listen, see <see cref="_announcements"/>).
    /// </summary>
    /// <returns><c>false</c> when the connection turned out to be closing, and what was written for it was taken back.</returns>
    private async Task<bool> RegisterAsync(HubConnectionContext connection)
    {
        var user = connection.User.ToUserInfo();
        if (await presence.AddConnectionAsync(user, connection.ConnectionId, CancellationToken.None))
        {
            var connected = new UserEvent(user, Now);
            Announce(connection.ConnectionId, null, () => hub.Clients.AllExcept([connection.ConnectionId]).UserConnected(connected));
        }
        foreach (var room in _local.GroupsOf(connection.ConnectionId))
        {
            if ((await rooms.JoinAsync(room, user, connection.ConnectionId, CancellationToken.None)).UserChanged)
            {
                var joined = new RoomEvent(room, user, Now);
                Announce(connection.ConnectionId, room, () => hub.Clients.GroupExcept(room, [connection.ConnectionId]).UserJoined(joined));
            }
        }
        if (!_local.IsLeaving(connection.ConnectionId))
        {
            return true;
        }
        // Its clean-up may have run before these writes: take them back, as the clean-up would have.
        await rooms.RemoveConnectionAsync(user.Id, connection.ConnectionId, CancellationToken.None);
        await presence.RemoveConnectionAsync(instance.Id, user.Id, connection.ConnectionId);
        return false;
    }

    /// <summary>
    /// Queues an event of the re-assertion, once per connection and room (or presence), to go out with the removals
    /// once the others listen; dropped then if the connection has left the room or closed meanwhile (its own
    /// UserLeft / UserDisconnected went out already, and this would contradict it).
    /// </summary>
    private void Announce(string connectionId, string? room, Func<Task> send)
    {
        if (_announced.Add((connectionId, room)))
        {
            _announcements.Add(new Announcement(connectionId, room, send));
        }
    }

    private bool StillTrue(Announcement announcement) =>
        !_local.IsLeaving(announcement.ConnectionId)
        && (announcement.Room is null || _local.GroupsOf(announcement.ConnectionId).Contains(announcement.Room, StringComparer.Ordinal));

    /// <summary>A queued UserConnected (no room) or UserJoined of the re-assertion.</summary>
    private sealed record Announcement(string ConnectionId, string? Room, Func<Task> Send);
}
