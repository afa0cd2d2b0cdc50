using Microsoft.AspNetCore.SignalR;
using StackExchange.Redis;

namespace Hubs.Server.Scaleout;

/// <summary>
/// Ids for global and direct messages an instance delivers to its own connections while Redis (and with it the
/// shared id counter) is unreachable: unique across the cluster, never equal to a Redis-issued id, below 2^53.
/// </summary>
/// <remarks>
/// Redis-issued ids follow the time in microseconds (about 1.8e15 in 2026) and stay below 2^52 until about 2112.
/// Fallback ids live above that: 2^52 + slot * 2^22 + sequence. Each instance reserves a 30-bit slot from a Redis
/// counter while Redis is reachable (at start, after every reconnect, and once half a slot is used), so no two
/// instances share one. The counter never falls behind the seconds since 2026-01-01, so slots keep increasing even
/// if Redis loses its data (and restarts, which takes more than a second); 30 bits of seconds last until 2060.
/// One slot gives 4,194,303 ids: an instance that uses them all within one outage refuses further sends until Redis
/// is back. An instance that has never reached Redis has no slot and refuses these sends like everything else.
/// </remarks>
internal sealed class FallbackMessageIds
{
    public const long Base = 1L << 52;
    private const int SequenceBits = 22;
    private const long SlotCount = 1L << 30;

    /// <summary>Reserve the next slot once half of the current one is used.</summary>
    private const long RenewAfter = 1L << (SequenceBits - 1);

    private static readonly DateTimeOffset SlotEpoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    // KEYS[1] slot counter; ARGV[1] seconds since the slot epoch.
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
    private bool _renew;

    public bool NeedsSlot
    {
        get
        {
            lock (_gate)
            {
                return _slot < 0 || _renew || _sequence >= RenewAfter;
            }
        }
    }

    /// <summary>Asks for a new slot at the next chance (Redis is back, possibly without its data).</summary>
    public void Renew()
    {
        lock (_gate)
        {
            _renew = true;
        }
    }

    /// <summary>Reserves a new slot (called by the heartbeat while Redis is reachable).</summary>
    public async Task ReserveAsync(IDatabase db, RedisKeys keys, TimeProvider time)
    {
        var seconds = (long)(time.GetUtcNow() - SlotEpoch).TotalSeconds;
        var slot = (long)await db.ScriptEvaluateAsync(ReserveScript, [keys.FallbackIdSlots], [Math.Max(seconds, 1)]);
        lock (_gate)
        {
            _slot = slot % SlotCount;
            _sequence = 0;
            _renew = false;
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
