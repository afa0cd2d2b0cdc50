using System.Diagnostics.Metrics;

namespace Hubs.Server.Stats;

/// <summary>
/// Online users and rooms as observable gauges on the <c>RealtimeHubs</c> meter. The stores answer asynchronously
/// (Redis) and gauge callbacks are synchronous, so the scrape endpoint calls <see cref="RefreshAsync"/> first and the
/// callbacks report that sample.
/// </summary>
/// <remarks>
/// The values come from the presence and room stores: the whole cluster's when Redis is configured (every instance
/// reports the same number), this instance's otherwise. After a failed refresh the gauges report nothing rather
/// than an old number.
/// </remarks>
public sealed class StateGauges
{
    public const string UsersOnlineInstrument = "realtimehubs.users.online";
    public const string RoomsInstrument = "realtimehubs.rooms";

    // A scrape should not hang on an unreachable Redis; Prometheus' own timeout is 10 s by default.
    private static readonly TimeSpan s_sampleTimeout = TimeSpan.FromSeconds(3);

    private readonly ServerStatsFeed _feed;
    private readonly TimeProvider _time;
    private Sample? _last;

    public StateGauges(IMeterFactory meterFactory, ServerStatsFeed feed, TimeProvider time)
    {
        _feed = feed;
        _time = time;
        // The factory hands out the same meter for the same name, so these sit beside HubMetrics' counters.
        var meter = meterFactory.Create(HubMetrics.MeterName);
        meter.CreateObservableGauge(UsersOnlineInstrument, () => Observe(sample => sample.Users), "{user}",
            "Users with at least one open connection.");
        meter.CreateObservableGauge(RoomsInstrument, () => Observe(sample => sample.Rooms), "{room}",
            "Rooms with at least one member.");
    }

    /// <summary>Takes a fresh sample from the stores for the next collection; when that fails, the gauges go blank.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            var stats = await _feed.SampleAsync(cancellationToken).WaitAsync(s_sampleTimeout, _time, cancellationToken);
            Volatile.Write(ref _last, new Sample(stats.OnlineUsers, stats.Rooms));
        }
        catch
        {
            Volatile.Write(ref _last, null);
            throw;
        }
    }

    private IEnumerable<Measurement<long>> Observe(Func<Sample, long> value) =>
        Volatile.Read(ref _last) is { } sample ? [new Measurement<long>(value(sample))] : [];

    private sealed record Sample(long Users, long Rooms);
}
