using System.Globalization;
using Hubs.Contracts;
using Hubs.Server.Scaleout;
using Hubs.Server.State;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Hubs.Server.Rooms;

/// <summary>Room history shared by every instance: a Redis stream per room whose entry ids are the message ids.</summary>
internal sealed class RedisRoomHistoryStore(IConnectionMultiplexer redis, RedisKeys keys, IOptions<RoomOptions> options, TimeProvider time)
    : IRoomHistoryStore
{
    // One script draws the id, stores the message, trims the stream and (when a channel is given) publishes
    // it: a message is either kept and announced, or neither, and ids in a room are stored in order.
    // The send's ack is recorded in the same step, so a resend after a lost reply gets it instead of a copy.
    // KEYS: counter, stream, trimmed marker, sent key.
    // ARGV: now µs, max length, user id, user name, text, ticks, channel, payload, ack lifetime ms ('' = none).
    private const string AppendScript = """
        local id = redis.call('INCR', KEYS[1])
        if id < tonumber(ARGV[1]) then
          redis.call('SET', KEYS[1], ARGV[1])
          id = tonumber(ARGV[1])
        end
        local sid = string.format('%.0f', id)
        redis.call('XADD', KEYS[2], sid .. '-0', 'u', ARGV[3], 'n', ARGV[4], 't', ARGV[5], 'ts', ARGV[6])
        local max = tonumber(ARGV[2])
        local len = redis.call('XLEN', KEYS[2])
        if len > max then
          local dropped = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', len - max)
          redis.call('SET', KEYS[3], dropped[#dropped][1])
          redis.call('XTRIM', KEYS[2], 'MAXLEN', max)
        end
        if ARGV[7] ~= '' then
          redis.call('PUBLISH', ARGV[7], sid .. '|' .. ARGV[8])
        end
        if ARGV[9] ~= '' then
          redis.call('SET', KEYS[4], sid .. '|' .. ARGV[6], 'PX', ARGV[9])
        end
        return sid
        """;

    // KEYS: stream, trimmed marker. ARGV: first id wanted ("N-0"), count.
    private const string AfterScript = """
        local entries = redis.call('XREVRANGE', KEYS[1], '+', ARGV[1], 'COUNT', ARGV[2])
        return { redis.call('GET', KEYS[2]) or '0-0', entries }
        """;

    /// <summary>Ids stay below 2^53 (JavaScript-safe); anything above matches nothing.</summary>
    private const long MaxId = (1L << 53) - 1;

    public Task<ChatMessage> AppendAsync(string room, UserInfo sender, string text, DateTime timestamp, CancellationToken cancellationToken) =>
        AppendAsync(room, sender, text, timestamp, announce: null, sent: null);

    /// <summary>
    /// Stores a message and, in the same script, publishes "id|payload" on the announce channel and records
    /// the ack of the send (the Chat:DeduplicationWindow format of <c>RedisSendDeduplicator</c>).
    /// </summary>
    internal async Task<ChatMessage> AppendAsync(string room, UserInfo sender, string text, DateTime timestamp,
        (RedisChannel Channel, byte[] Payload)? announce, (RedisKey Key, TimeSpan Lifetime)? sent)
    {
        RedisKey[] scriptKeys = [keys.MessageIds, keys.RoomHistory(room), keys.RoomTrimmed(room), sent?.Key ?? keys.MessageIds];
        RedisValue[] values =
        [
            RedisMessageIdGenerator.NowMicroseconds(time),
            options.Value.HistoryLength,
            sender.Id,
            sender.Name,
            text,
            timestamp.Ticks,
            announce is { } a ? a.Channel.ToString() : "",
            announce is { } p ? p.Payload : [],
            sent is { } d ? (long)d.Lifetime.TotalMilliseconds : "",
        ];
        var id = (long)await redis.GetDatabase().ScriptEvaluateAsync(AppendScript, scriptKeys, values);
        return new ChatMessage(id, room, sender, text, timestamp);
    }

    public async Task<HistorySlice> GetAfterAsync(string room, long sinceId, int limit, CancellationToken cancellationToken)
    {
        if (limit <= 0 || sinceId >= MaxId)
        {
            return new HistorySlice([], false);
        }
        var first = Math.Max(sinceId, 0) + 1;
        var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(
            AfterScript, [keys.RoomHistory(room), keys.RoomTrimmed(room)], [$"{first}-0", limit + 1]))!;
        var trimmedThrough = EntryId((string)result[0]!);
        var newestFirst = ((RedisResult[])result[1]!).Select(entry => ToMessage(room, entry)).ToList();
        var truncated = sinceId < trimmedThrough || newestFirst.Count > limit;
        return new HistorySlice([.. newestFirst.Take(limit).Reverse()], truncated);
    }

    public async Task<IReadOnlyList<ChatMessage>> GetLatestAsync(string room, long? beforeId, int limit, CancellationToken cancellationToken)
    {
        if (limit <= 0 || beforeId <= 1)
        {
            return [];
        }
        RedisValue newest = beforeId is { } before && before <= MaxId ? $"{before - 1}-0" : "+";
        var entries = await redis.GetDatabase().StreamRangeAsync(keys.RoomHistory(room), "-", newest, limit, Order.Descending);
        return [.. entries.Reverse().Select(entry => ToMessage(room, entry))];
    }

    private static long EntryId(string streamId) => long.Parse(streamId.AsSpan(0, streamId.IndexOf('-', StringComparison.Ordinal)), CultureInfo.InvariantCulture);

    private static ChatMessage ToMessage(string room, StreamEntry entry) => new(
        EntryId(entry.Id!),
        room,
        new UserInfo(entry["u"]!, entry["n"]!),
        entry["t"]!,
        new DateTime((long)entry["ts"], DateTimeKind.Utc));

    // Script results arrive as [id, [field, value, ...]].
    private static ChatMessage ToMessage(string room, RedisResult entry)
    {
        var parts = (RedisResult[])entry!;
        var fields = (RedisValue[])parts[1]!;
        string Field(string name)
        {
            for (var i = 0; i + 1 < fields.Length; i += 2)
            {
                if (fields[i] == name)
                {
                    return fields[i + 1]!;
                }
            }
            throw new InvalidDataException($"History entry {parts[0]} of room '{room}' has no field '{name}'.");
        }
        return new ChatMessage(
            EntryId((string)parts[0]!),
            room,
            new UserInfo(Field("u"), Field("n")),
            Field("t"),
            new DateTime(long.Parse(Field("ts"), CultureInfo.InvariantCulture), DateTimeKind.Utc));
    }
}
