using Hubs.Contracts;
using Hubs.Server.Scaleout;
using StackExchange.Redis;

namespace Hubs.Server.Presence;

/// <summary>Presence shared by every instance.</summary>
/// <remarks>
/// Per user: the set of their connection ids; one hash of online users' names. Each connection is also
/// indexed under the instance that holds it, so the others can remove it if that instance dies.
/// </remarks>
internal sealed class RedisPresenceStore(IConnectionMultiplexer redis, RedisKeys keys, InstanceIdentity instance) : IPresenceStore
{
    // KEYS: user's connections, online names, instance's connections. ARGV: connection, user id, name, owner.
    private const string AddScript = """
        redis.call('HSET', KEYS[3], ARGV[1], ARGV[4])
        if redis.call('SADD', KEYS[1], ARGV[1]) == 1 and redis.call('SCARD', KEYS[1]) == 1 then
          redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
          return 1
        end
        return 0
        """;

    // KEYS: user's connections, online names, instance's connections. ARGV: connection, user id.
    private const string RemoveScript = """
        redis.call('HDEL', KEYS[3], ARGV[1])
        if redis.call('SREM', KEYS[1], ARGV[1]) == 0 then return 0 end
        if redis.call('SCARD', KEYS[1]) == 0 then
          redis.call('HDEL', KEYS[2], ARGV[2])
          return 1
        end
        return 0
        """;

    // KEYS: online names. ARGV: user-connections key prefix. Returns id, name, count, id, name, count, ...
    private const string OnlineScript = """
        local result = {}
        local names = redis.call('HGETALL', KEYS[1])
        for i = 1, #names, 2 do
          table.insert(result, names[i])
          table.insert(result, names[i + 1])
          table.insert(result, redis.call('SCARD', ARGV[1] .. names[i]))
        end
        return result
        """;

    private IDatabase Db => redis.GetDatabase();

    public async Task<bool> AddConnectionAsync(UserInfo user, string connectionId, CancellationToken cancellationToken)
    {
        var first = (int)await Db.ScriptEvaluateAsync(AddScript,
            [keys.UserConnections(user.Id), keys.OnlineUsers, keys.InstanceConnections(instance.Id)],
            [connectionId, user.Id, user.Name, ConnectionOwner.Format(user)]);
        return first == 1;
    }

    public Task<bool> RemoveConnectionAsync(string userId, string connectionId, CancellationToken cancellationToken) =>
        RemoveConnectionAsync(instance.Id, userId, connectionId);

    /// <summary>Removes a connection held by <paramref name="instanceId"/> (this one, or a dead one being swept).</summary>
    internal async Task<bool> RemoveConnectionAsync(string instanceId, string userId, string connectionId)
    {
        var last = (int)await Db.ScriptEvaluateAsync(RemoveScript,
            [keys.UserConnections(userId), keys.OnlineUsers, keys.InstanceConnections(instanceId)],
            [connectionId, userId]);
        return last == 1;
    }

    /// <summary>Whether Redis has <paramref name="connectionId"/> registered under this instance.</summary>
    /// <remarks>Only closing the connection unregisters it, so while it is open, "no" means Redis lost it.</remarks>
    internal Task<bool> IsRegisteredHereAsync(string connectionId, CancellationToken cancellationToken) =>
        Db.HashExistsAsync(keys.InstanceConnections(instance.Id), connectionId);

    public Task<bool> IsOnlineAsync(string userId, CancellationToken cancellationToken) =>
        Db.HashExistsAsync(keys.OnlineUsers, userId);

    public async Task<IReadOnlyList<OnlineUser>> GetOnlineUsersAsync(CancellationToken cancellationToken)
    {
        var flat = (RedisResult[])(await Db.ScriptEvaluateAsync(OnlineScript, [keys.OnlineUsers], [keys.UserConnections("").ToString()]))!;
        var users = new List<OnlineUser>(flat.Length / 3);
        for (var i = 0; i + 2 < flat.Length; i += 3)
        {
            users.Add(new OnlineUser(new UserInfo((string)flat[i]!, (string)flat[i + 1]!), (int)flat[i + 2]));
        }
        return [.. users.OrderBy(user => user.User.Id, StringComparer.Ordinal)];
    }
}
