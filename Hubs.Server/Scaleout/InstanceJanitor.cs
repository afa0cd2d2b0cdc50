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
/// After Redis was unreachable, or when this instance finds its own heartbeat gone (the others swept it, or
/// Redis lost its data), it reconciles: connections closed meanwhile are removed, and open ones that are
/// missing are registered again with their rooms, so the shared state matches what this instance serves.
/// </remarks>
internal sealed class InstanceJanitor(
    IConnectionMultiplexer redis,
    RedisKeys keys,
    InstanceIdentity instance,
    RedisPresenceStore presence,
    IRoomMembershipStore rooms,
    HubLifetimeManager<ChatHub> lifetimeManager,
    IHubContext<ChatHub, IChatClient> hub,
    FallbackMessageIds fallbackIds,
    OutageTolerantSendDeduplicator sends,
    OutageDepartures departures,
    IOptions<RedisOptions> options,
    TimeProvider time,
    ILogger<InstanceJanitor> logger) : BackgroundService
{
    private readonly ClusterHubLifetimeManager<ChatHub> _local = (ClusterHubLifetimeManager<ChatHub>)lifetimeManager;
    private volatile bool _reconcile;
    private long _sweepNotBeforeTicks;
    private int _reconcileDeferrals;

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    private IDatabase Db => redis.GetDatabase();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        redis.ConnectionRestored += OnConnectionRestored;
        try
        {
            using var timer = new PeriodicTimer(options.Value.HeartbeatInterval, time);
            var first = true;
            do
            {
                try
                {
                    await RunOnceAsync(first);
                    first = false;
                }
                catch (Exception e) when (RedisFailures.IsUnavailable(e))
                {
                    ScaleoutLog.JanitorSkipped(logger, e);
                    _reconcile = true;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Never let one bad round stop the heartbeat (and with it this instance's presence).
                    ScaleoutLog.JanitorFailed(logger, e);
                    _reconcile = true;
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down; the heartbeat runs out and any connections left are swept by the others.
        }
        finally
        {
            redis.ConnectionRestored -= OnConnectionRestored;
        }
    }

    /// <summary>One heartbeat: renew, reconcile when needed, sweep the dead.</summary>
    internal async Task RunOnceAsync(bool first = false)
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
        if ((previous.IsNull && !first) || _reconcile)
        {
            // Deferred a few beats at most; never held up here, or this instance's own heartbeat would run out.
            _reconcile = true;
            if (await PeersListenAsync() || ++_reconcileDeferrals * options.Value.HeartbeatInterval >= options.Value.PresenceExpiry)
            {
                _reconcile = false;
                _reconcileDeferrals = 0;
                await ReconcileAsync();
            }
        }
        if (time.GetUtcNow().UtcTicks >= Interlocked.Read(ref _sweepNotBeforeTicks))
        {
            if (!_reconcile && !departures.IsEmpty)
            {
                await AnnounceDeparturesAsync();
            }
            await SweepDeadInstancesAsync();
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        _reconcile = true;
        // Redis may have lost its data, and with it the slot counter: take a slot nobody else holds now.
        fallbackIds.Renew();
        // After an outage every heartbeat may have run out; give the live instances one expiry to renew
        // theirs before anyone is swept, instead of announcing their users gone and back.
        Interlocked.Exchange(ref _sweepNotBeforeTicks, (time.GetUtcNow() + options.Value.PresenceExpiry).UtcTicks);
    }

    /// <summary>
    /// Pub/sub delivers only to current subscribers, and after an outage the other instances re-subscribe at
    /// their own pace: the events of a reconcile wait until every registered instance listens again.
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

    private async Task ReconcileAsync()
    {
        var indexed = (await Db.HashGetAllAsync(keys.InstanceConnections(instance.Id)))
            .ToDictionary(entry => (string)entry.Name!, entry => ConnectionOwner.Parse(entry.Value!), StringComparer.Ordinal);
        var open = _local.LocalConnections.ToDictionary(connection => connection.ConnectionId, StringComparer.Ordinal);
        var removed = 0;
        foreach (var (connectionId, user) in indexed.Where(entry => !open.ContainsKey(entry.Key)))
        {
            await RemoveAsync(instance.Id, connectionId, user);
            removed++;
        }
        foreach (var departure in departures.Snapshot().Where(departure => indexed.ContainsKey(departure.ConnectionId)))
        {
            // Removed just above, with its events, from what Redis kept.
            departures.Remove(departure.ConnectionId);
        }
        var added = 0;
        foreach (var connection in open.Values.Where(connection => !indexed.ContainsKey(connection.ConnectionId)))
        {
            await RegisterAsync(connection);
            added++;
        }
        if (added + removed > 0)
        {
            ScaleoutLog.Reconciled(logger, instance.Id, added, removed);
        }
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

    /// <summary>Registers an open local connection again, as if it had just connected and rejoined its rooms.</summary>
    private async Task RegisterAsync(HubConnectionContext connection)
    {
        var user = connection.User.ToUserInfo();
        if (await presence.AddConnectionAsync(user, connection.ConnectionId, CancellationToken.None))
        {
            await hub.Clients.AllExcept([connection.ConnectionId]).UserConnected(new UserEvent(user, Now));
        }
        foreach (var room in _local.GroupsOf(connection.ConnectionId))
        {
            if ((await rooms.JoinAsync(room, user, connection.ConnectionId, CancellationToken.None)).UserChanged)
            {
                await hub.Clients.GroupExcept(room, [connection.ConnectionId]).UserJoined(new RoomEvent(room, user, Now));
            }
        }
    }
}
