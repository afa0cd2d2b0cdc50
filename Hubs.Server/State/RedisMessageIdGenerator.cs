using Hubs.Server.Scaleout;
using StackExchange.Redis;

namespace Hubs.Server.State;

/// <summary>Ids shared by every instance: one counter in Redis.</summary>
/// <remarks>
/// The counter never falls behind the current time in microseconds (about 1.8e15, well below 2^53), so ids
/// keep increasing even if Redis loses its data, like the in-memory generator across restarts.
/// </remarks>
internal sealed class RedisMessageIdGenerator(IConnectionMultiplexer redis, RedisKeys keys, TimeProvider time) : IMessageIdGenerator
{
    // KEYS[1] counter; ARGV[1] now in microseconds.
    internal const string NextIdScript = """
        local id = redis.call('INCR', KEYS[1])
        if id < tonumber(ARGV[1]) then
          redis.call('SET', KEYS[1], ARGV[1])
          id = tonumber(ARGV[1])
        end
        return string.format('%.0f', id)
        """;

    public async ValueTask<long> NextIdAsync(CancellationToken cancellationToken)
    {
        var result = await redis.GetDatabase().ScriptEvaluateAsync(NextIdScript, [keys.MessageIds], [NowMicroseconds(time)]);
        return (long)result;
    }

    internal static long NowMicroseconds(TimeProvider time) => time.GetUtcNow().ToUnixTimeMilliseconds() * 1000;
}
