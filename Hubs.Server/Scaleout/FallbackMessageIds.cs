using Microsoft.AspNetCore.SignalR;
using StackExchange.Redis;

namespace Hubs.Server.Scaleout;

/// <summary>
/// Ids for global and direct messages an instance delivers to its own connections while Redis (and with it the
/// shared id counter) is unreachable: unique across the cluster, never equal to a Redis-issued id, below 2^53.
/// </summary>
/// <remarks>
/// Redis-issued ids follow the time in microseconds (about 1.8e15 in 2026) and stay below 2^52 until about 2112.
/// Fallback ids live above that: 2^52 + slot * 2^31 + sequence. Each instance reserves a slot (21 bits) from a
/// Redis counter while Redis is reachable, so no two live instances share one; the counter never falls behind the
/// time in minutes, so slots keep increasing even if Redis loses its data, and a slot number comes round again
/// only after 2^21 minutes (about four years). A new slot is reserved long before the 2^31 sequence runs out.
/// An instance that has never reached Redis has no slot and refuses these sends like everything else.
/// </remarks>
internal sealed class FallbackMessageIds
{
    public const long Base = 1L << 52;
    private const int SequenceBits = 31;
    private const long SlotCount = 1L << 21;

    /// <summary>Reserve the next slot once half of the current one is used.</summary>
    private const long RenewAfter = 1L << (SequenceBits - 1);

    // KEYS[1] slot counter; ARGV[1] minutes since the Unix epoch.
    private const string ReserveScript = """
        local slot = redis.call('INCR', KEYS[1])
        if slot < tonumber(ARGV[1]) then
          redis.call('SET', KEYS[1], ARGV[1])
          slot = tonumber(ARGV[1])
        end
        return slot
        """;

    private readonly Lock _gate = new();
    private long _slot = -1;
    private long _sequence;

    public bool NeedsSlot
    {
        get
        {
            lock (_gate)
            {
                return _slot < 0 || _sequence >= RenewAfter;
            }
        }
    }

    /// <summary>Reserves a new slot (called by the heartbeat while Redis is reachable).</summary>
    public async Task ReserveAsync(IDatabase db, RedisKeys keys, TimeProvider time)
    {
        var minutes = time.GetUtcNow().ToUnixTimeSeconds() / 60;
        var slot = (long)await db.ScriptEvaluateAsync(ReserveScript, [keys.FallbackIdSlots], [minutes]);
        lock (_gate)
        {
            _slot = slot % SlotCount;
            _sequence = 0;
        }
    }

    /// <summary>The next id; "temporarily unavailable" when no slot was ever reserved or the slot is used up.</summary>
    public long Next()
    {
        lock (_gate)
        {
            if (_slot < 0 || _sequence + 1 >= 1L << SequenceBits)
            {
                throw new HubException(RedisUnavailableFilter.Message);
            }
            return Base + (_slot << SequenceBits) + ++_sequence;
        }
    }

    /// <summary>Whether an id was given out by an instance while Redis was unreachable.</summary>
    public static bool IsFallback(long id) => id >= Base;
}
