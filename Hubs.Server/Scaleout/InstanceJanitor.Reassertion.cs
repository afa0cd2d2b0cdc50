using Hubs.Contracts;
using Hubs.Server.Auth;
using Microsoft.AspNetCore.SignalR;

namespace Hubs.Server.Scaleout;

/// <summary>Re-assertion: writing this instance's connections and rooms back into a Redis that lost them.</summary>
internal sealed partial class InstanceJanitor
{
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

    /// <summary>How many users' connections are written back at once.</summary>
    private const int ReassertConcurrency = 32;

    /// <summary>Since when the events and removals have waited for the others to listen.</summary>
    private DateTimeOffset? _deferredSince;

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
        var added = await ForEachUserAsync(
            open.Values.Where(connection => !indexed.ContainsKey(connection.ConnectionId)),
            connection => connection.UserIdentifier,
            async connection => await RegisterAsync(connection) ? 1 : 0);
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
        return await ForEachUserAsync(
            grouped.Select((candidate, i) => (candidate.Connection, Forgotten: candidate.Groups.Except(known[i].Select(room => (string)room!), StringComparer.Ordinal))),
            candidate => candidate.Connection.UserIdentifier,
            async candidate =>
            {
                var rejoined = 0;
                foreach (var room in candidate.Forgotten)
                {
                    rejoined += await RejoinAsync(candidate.Connection, room) ? 1 : 0;
                }
                return rejoined;
            });
    }

    /// <summary>
    /// Runs <paramref name="write"/> for each item, several users at a time, and each user's items in order, so that a
    /// user's UserConnected is queued before its UserJoined. Redis pipelines the concurrent commands: one connection at
    /// a time, 400 connections in two rooms each kept the instance not ready for 0.5-0.65 s, 32 users at a time 40-70 ms.
    /// </summary>
    /// <returns>The sum of what <paramref name="write"/> returned.</returns>
    private static async Task<int> ForEachUserAsync<T>(IEnumerable<T> items, Func<T, string?> userOf, Func<T, Task<int>> write)
    {
        var total = 0;
        await Parallel.ForEachAsync(
            items.GroupBy(userOf, StringComparer.Ordinal),
            new ParallelOptions { MaxDegreeOfParallelism = ReassertConcurrency },
            async (userItems, _) =>
            {
                foreach (var item in userItems)
                {
                    Interlocked.Add(ref total, await write(item));
                }
            });
        return total;
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
        // Called by several users' writes at once (ForEachUserAsync); read only once they are all done.
        lock (_announcements)
        {
            if (_announced.Add((connectionId, room)))
            {
                _announcements.Add(new Announcement(connectionId, room, send));
            }
        }
    }

    private bool StillTrue(Announcement announcement) =>
        !_local.IsLeaving(announcement.ConnectionId)
        && (announcement.Room is null || _local.GroupsOf(announcement.ConnectionId).Contains(announcement.Room, StringComparer.Ordinal));

    /// <summary>A queued UserConnected (no room) or UserJoined of the re-assertion.</summary>
    private sealed record Announcement(string ConnectionId, string? Room, Func<Task> Send);
}
