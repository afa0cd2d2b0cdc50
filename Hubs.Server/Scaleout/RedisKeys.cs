using StackExchange.Redis;

namespace Hubs.Server.Scaleout;

/// <summary>Every Redis key and channel the server uses, all under one prefix.</summary>
/// <remarks>
/// Lua scripts that touch a variable set of rooms build room keys from <see cref="RoomKeyPrefix"/>,
/// so they need a single Redis (or one cluster slot); Redis Cluster is not supported.
/// </remarks>
public sealed class RedisKeys(string prefix)
{
    public string Prefix => prefix;

    public RedisKey MessageIds { get; } = $"{prefix}:ids";

    /// <summary>Counter of the id slots instances reserve for ids they give out while Redis is unreachable.</summary>
    public RedisKey FallbackIdSlots { get; } = $"{prefix}:fallback-id-slots";

    /// <summary>Start of per-room keys; a room's keys are this + room + ":" + kind.</summary>
    public string RoomKeyPrefix { get; } = $"{prefix}:room:";

    public RedisKey RoomHistory(string room) => $"{RoomKeyPrefix}{room}:history";

    /// <summary>The id of the newest message trimmed from a room's history.</summary>
    public RedisKey RoomTrimmed(string room) => $"{RoomKeyPrefix}{room}:trimmed";

    /// <summary>Hash user id → number of that user's connections in the room.</summary>
    public RedisKey RoomUsers(string room) => $"{RoomKeyPrefix}{room}:users";

    /// <summary>Hash user id → display name, for the room's members.</summary>
    public RedisKey RoomNames(string room) => $"{RoomKeyPrefix}{room}:names";

    /// <summary>Set of rooms with at least one member.</summary>
    public RedisKey Rooms { get; } = $"{prefix}:rooms";

    public RedisKey ConnectionRooms(string connectionId) => $"{ConnectionRoomsPrefix}{connectionId}:rooms";

    /// <summary>Start of the per-connection room sets, for scripts that visit several connections.</summary>
    public string ConnectionRoomsPrefix { get; } = $"{prefix}:conn:";

    /// <summary>Hash user id → display name, for users with at least one connection.</summary>
    public RedisKey OnlineUsers { get; } = $"{prefix}:presence:names";

    public RedisKey UserConnections(string userId) => $"{prefix}:presence:user:{userId}";

    /// <summary>Set of instance ids that registered connections.</summary>
    public RedisKey Instances { get; } = $"{prefix}:instances";

    /// <summary>Exists while the instance is alive (renewed by its heartbeat, expires after a kill -9).</summary>
    public RedisKey InstanceAlive(string instanceId) => $"{prefix}:instance:{instanceId}:alive";

    /// <summary>Hash connection id → owner (see <see cref="ConnectionOwner"/>), for the instance's connections.</summary>
    public RedisKey InstanceConnections(string instanceId) => $"{prefix}:instance:{instanceId}:conns";

    /// <summary>One remembered send; the user id is length-prefixed so no two (user, id) pairs share a key.</summary>
    public RedisKey Sent(string userId, string clientMessageId) => $"{prefix}:sent:{userId.Length}:{userId}:{clientMessageId}";

    /// <summary>Backplane channel of one hub.</summary>
    public RedisChannel HubChannel(string hubName) => RedisChannel.Literal($"{prefix}:hub:{hubName}");

    /// <summary>Room messages, published by the same script that stores them.</summary>
    public RedisChannel RoomMessages { get; } = RedisChannel.Literal($"{prefix}:room-messages");
}
