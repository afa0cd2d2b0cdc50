using Hubs.Contracts;
using Hubs.Server.Scaleout;
using StackExchange.Redis;

namespace Hubs.Server.Rooms;

/// <summary>Room membership shared by every instance.</summary>
/// <remarks>
/// Per room: a hash user → connection count and a hash user → name; per connection: the set of its rooms.
/// Each change is one Lua script, so counts and "first / last connection" answers stay exact under races.
/// </remarks>
internal sealed class RedisRoomMembershipStore(IConnectionMultiplexer redis, RedisKeys keys) : IRoomMembershipStore
{
    // KEYS: connection's rooms, room users, room names, all rooms. ARGV: room, user id, name.
    private const string JoinScript = """
        if redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return {0, 0} end
        if redis.call('HINCRBY', KEYS[2], ARGV[2], 1) == 1 then
          redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
          redis.call('SADD', KEYS[4], ARGV[1])
          return {1, 1}
        end
        return {1, 0}
        """;

    // Shared by leave and remove-connection: drops one connection of a user from one room.
    private const string LeaveFunction = """
        local function leave(prefix, rooms, connRooms, room, user)
          if redis.call('SREM', connRooms, room) == 0 then return {0, 0} end
          local users = prefix .. room .. ':users'
          if redis.call('HINCRBY', users, user, -1) > 0 then return {1, 0} end
          redis.call('HDEL', users, user)
          redis.call('HDEL', prefix .. room .. ':names', user)
          if redis.call('HLEN', users) == 0 then redis.call('SREM', rooms, room) end
          return {1, 1}
        end

        """;

    // KEYS: connection's rooms, all rooms. ARGV: room key prefix, room, user id.
    private const string LeaveScript = LeaveFunction + """
        return leave(ARGV[1], KEYS[2], KEYS[1], ARGV[2], ARGV[3])
        """;

    // KEYS: connection's rooms, all rooms. ARGV: room key prefix, user id. Returns the rooms the user left.
    private const string RemoveConnectionScript = LeaveFunction + """
        local left = {}
        for _, room in ipairs(redis.call('SMEMBERS', KEYS[1])) do
          if leave(ARGV[1], KEYS[2], KEYS[1], room, ARGV[2])[2] == 1 then table.insert(left, room) end
        end
        redis.call('DEL', KEYS[1])
        return left
        """;

    // Every connection of a user in a room is among their presence connections (joins need a connection).
    // KEYS: user's presence connections, room users, room names, all rooms. ARGV: room, user id, connection-rooms key prefix.
    // Returns nil when the user was not in the room, else { name, connection ids... }.
    private const string RemoveUserScript = """
        local name = redis.call('HGET', KEYS[3], ARGV[2])
        if not name then return false end
        local removed = { name }
        for _, connection in ipairs(redis.call('SMEMBERS', KEYS[1])) do
          if redis.call('SREM', ARGV[3] .. connection .. ':rooms', ARGV[1]) == 1 then table.insert(removed, connection) end
        end
        redis.call('HDEL', KEYS[2], ARGV[2])
        redis.call('HDEL', KEYS[3], ARGV[2])
        if redis.call('HLEN', KEYS[2]) == 0 then redis.call('SREM', KEYS[4], ARGV[1]) end
        return removed
        """;

    // KEYS: all rooms. ARGV: room key prefix. Returns room, member count, room, member count, ...
    private const string RoomsScript = """
        local result = {}
        for _, room in ipairs(redis.call('SMEMBERS', KEYS[1])) do
          table.insert(result, room)
          table.insert(result, redis.call('HLEN', ARGV[1] .. room .. ':users'))
        end
        return result
        """;

    private IDatabase Db => redis.GetDatabase();

    public async Task<MembershipChange> JoinAsync(string room, UserInfo user, string connectionId, CancellationToken cancellationToken)
    {
        var result = (int[])(await Db.ScriptEvaluateAsync(JoinScript,
            [keys.ConnectionRooms(connectionId), keys.RoomUsers(room), keys.RoomNames(room), keys.Rooms],
            [room, user.Id, user.Name]))!;
        return new MembershipChange(result[0] == 1, result[1] == 1);
    }

    public async Task<MembershipChange> LeaveAsync(string room, string userId, string connectionId, CancellationToken cancellationToken)
    {
        var result = (int[])(await Db.ScriptEvaluateAsync(LeaveScript,
            [keys.ConnectionRooms(connectionId), keys.Rooms],
            [keys.RoomKeyPrefix, room, userId]))!;
        return new MembershipChange(result[0] == 1, result[1] == 1);
    }

    public Task<bool> IsMemberAsync(string room, string connectionId, CancellationToken cancellationToken) =>
        Db.SetContainsAsync(keys.ConnectionRooms(connectionId), room);

    public async Task<IReadOnlyList<UserInfo>> GetMembersAsync(string room, CancellationToken cancellationToken)
    {
        var names = await Db.HashGetAllAsync(keys.RoomNames(room));
        return [.. names.Select(entry => new UserInfo(entry.Name!, entry.Value!)).OrderBy(user => user.Id, StringComparer.Ordinal)];
    }

    public async Task<IReadOnlyList<string>> RemoveConnectionAsync(string userId, string connectionId, CancellationToken cancellationToken)
    {
        var left = (string[])(await Db.ScriptEvaluateAsync(RemoveConnectionScript,
            [keys.ConnectionRooms(connectionId), keys.Rooms],
            [keys.RoomKeyPrefix, userId]))!;
        return [.. left.Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Takes every connection of a user out of a room (on all instances); <c>null</c> when they were not in it.
    /// </summary>
    /// <remarks>Implements <c>IRoomMembershipStore.RemoveUserAsync</c> of the admin API (issue 5) once merged.</remarks>
    public async Task<(UserInfo User, IReadOnlyList<string> ConnectionIds)?> RemoveUserAsync(string room, string userId, CancellationToken cancellationToken)
    {
        var result = await Db.ScriptEvaluateAsync(RemoveUserScript,
            [keys.UserConnections(userId), keys.RoomUsers(room), keys.RoomNames(room), keys.Rooms],
            [room, userId, keys.ConnectionRoomsPrefix]);
        if (result.IsNull)
        {
            return null;
        }
        var values = (string[])result!;
        return (new UserInfo(userId, values[0]), [.. values.Skip(1).Order(StringComparer.Ordinal)]);
    }

    public async Task<IReadOnlyList<RoomSummary>> GetRoomsAsync(CancellationToken cancellationToken)
    {
        var flat = (RedisResult[])(await Db.ScriptEvaluateAsync(RoomsScript, [keys.Rooms], [keys.RoomKeyPrefix]))!;
        var rooms = new List<RoomSummary>(flat.Length / 2);
        for (var i = 0; i + 1 < flat.Length; i += 2)
        {
            rooms.Add(new RoomSummary((string)flat[i]!, (int)flat[i + 1]));
        }
        return [.. rooms.OrderBy(room => room.Room, StringComparer.Ordinal)];
    }
}
