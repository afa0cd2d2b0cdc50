using Hubs.Contracts;

namespace Hubs.Server.Rooms;

/// <summary>Room membership for a single instance.</summary>
internal sealed class InMemoryRoomMembershipStore : IRoomMembershipStore
{
    private readonly Lock _gate = new();

    // room -> user id -> (user, that user's connections in the room)
    private readonly Dictionary<string, Dictionary<string, (UserInfo User, HashSet<string> Connections)>> _rooms = new(StringComparer.Ordinal);

    // connection -> rooms it joined, so a closed connection can be cleaned up without scanning every room
    private readonly Dictionary<string, HashSet<string>> _roomsByConnection = new(StringComparer.Ordinal);

    public Task<MembershipChange> JoinAsync(string room, UserInfo user, string connectionId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_rooms.TryGetValue(room, out var members))
            {
                members = new(StringComparer.Ordinal);
                _rooms[room] = members;
            }
            var userIsNew = !members.TryGetValue(user.Id, out var entry);
            if (userIsNew)
            {
                entry = (user, new HashSet<string>(StringComparer.Ordinal));
                members[user.Id] = entry;
            }
            var added = entry.Connections.Add(connectionId);
            if (added)
            {
                if (!_roomsByConnection.TryGetValue(connectionId, out var rooms))
                {
                    rooms = new HashSet<string>(StringComparer.Ordinal);
                    _roomsByConnection[connectionId] = rooms;
                }
                rooms.Add(room);
            }
            return Task.FromResult(new MembershipChange(added, userIsNew));
        }
    }

    public Task<MembershipChange> LeaveAsync(string room, string userId, string connectionId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_roomsByConnection.TryGetValue(connectionId, out var rooms))
            {
                rooms.Remove(room);
                if (rooms.Count == 0)
                {
                    _roomsByConnection.Remove(connectionId);
                }
            }
            return Task.FromResult(RemoveLocked(room, userId, connectionId));
        }
    }

    public Task<bool> IsMemberAsync(string room, string connectionId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_roomsByConnection.TryGetValue(connectionId, out var rooms) && rooms.Contains(room));
        }
    }

    public Task<IReadOnlyList<UserInfo>> GetMembersAsync(string room, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<UserInfo> members = _rooms.TryGetValue(room, out var entries)
                ? [.. entries.Values.Select(entry => entry.User).OrderBy(user => user.Id, StringComparer.Ordinal)]
                : [];
            return Task.FromResult(members);
        }
    }

    public Task<IReadOnlyList<string>> RemoveConnectionAsync(string userId, string connectionId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_roomsByConnection.Remove(connectionId, out var rooms))
            {
                return Task.FromResult<IReadOnlyList<string>>([]);
            }
            IReadOnlyList<string> left = [.. rooms.Where(room => RemoveLocked(room, userId, connectionId).UserChanged).Order(StringComparer.Ordinal)];
            return Task.FromResult(left);
        }
    }

    public Task<IReadOnlyList<RoomSummary>> GetRoomsAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<RoomSummary> rooms = [.. _rooms
                .Select(pair => new RoomSummary(pair.Key, pair.Value.Count))
                .OrderBy(room => room.Room, StringComparer.Ordinal)];
            return Task.FromResult(rooms);
        }
    }

    public Task<RoomRemoval?> RemoveUserAsync(string room, string userId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_rooms.TryGetValue(room, out var members) || !members.Remove(userId, out var entry))
            {
                return Task.FromResult<RoomRemoval?>(null);
            }
            if (members.Count == 0)
            {
                _rooms.Remove(room);
            }
            foreach (var connectionId in entry.Connections)
            {
                if (_roomsByConnection.TryGetValue(connectionId, out var rooms) && rooms.Remove(room) && rooms.Count == 0)
                {
                    _roomsByConnection.Remove(connectionId);
                }
            }
            return Task.FromResult<RoomRemoval?>(new RoomRemoval(entry.User, [.. entry.Connections.Order(StringComparer.Ordinal)]));
        }
    }

    private MembershipChange RemoveLocked(string room, string userId, string connectionId)
    {
        if (!_rooms.TryGetValue(room, out var members)
            || !members.TryGetValue(userId, out var entry)
            || !entry.Connections.Remove(connectionId))
        {
            return new MembershipChange(false, false);
        }
        if (entry.Connections.Count > 0)
        {
            return new MembershipChange(true, false);
        }
        members.Remove(userId);
        if (members.Count == 0)
        {
            _rooms.Remove(room);
        }
        return new MembershipChange(true, true);
    }
}
