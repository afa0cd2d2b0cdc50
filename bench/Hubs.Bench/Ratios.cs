namespace Hubs.Bench;

/// <summary>A comparison within one bench run, and the issue's target for it when there is one.</summary>
/// <remarks>Paired is the median of the run-by-run ratios (runs of both setups interleave, so each pair saw similar noise).</remarks>
internal sealed record Ratio(string Name, double Value, double? Paired, string Target, bool? Met)
{
    public bool IsCount { get; init; }

    public override string ToString() =>
        (IsCount ? Report.Invariant($"{Name}: {Value:F0}") : Report.Invariant($"{Name}: {Value:F2}")) + (Paired is { } paired ? Report.Invariant($" (run-paired {paired:F2})") : "")
        + (Met is { } met ? $"; target {Target}: {(met ? "met" : "NOT met")}" : string.IsNullOrEmpty(Target) ? "" : $"; {Target}");
}

/// <summary>The ratios the issue sets targets for, from one bench run's results.</summary>
internal static class Ratios
{
    /// <summary>Socket.IO's room fan-out cost relative to plain SignalR's in the issue (28.5 vs 40 ms per 1k deliveries).</summary>
    private const double SocketIoRoomFanout = 28.5 / 40;

    private const double CloseToPlain = 1.2;
    private const double RedisOverInMemory = 1.3;
    private const double IdleKiBPerConnection = 20;
    private const double P99Ms = 20;

    public static List<Ratio> Compute(IReadOnlyList<RunResult> results)
    {
        var measured = results.Where(r => !r.Warmup).ToList();
        var ratios = new List<Ratio>();
        CpuRatio(ratios, measured, ScenarioNames.AckRtt, "hubs", "plain", "<= 1.2x plain SignalR", r => r <= CloseToPlain);
        CpuRatio(ratios, measured, ScenarioNames.RoomFanout, "hubs", "plain", "< 0.71x plain SignalR (Socket.IO 28.5 vs 40 ms/1k)", r => r < SocketIoRoomFanout);
        CpuRatio(ratios, measured, ScenarioNames.Broadcast, "hubs", "plain", "<= 1.2x plain SignalR", r => r <= CloseToPlain);
        CpuRatio(ratios, measured, ScenarioNames.Connect, "hubs", "plain", "", null);
        foreach (var setup in new[] { "hubs", "plain" })
        {
            var connect = measured.Where(r => r.Scenario == ScenarioNames.Connect && r.Setup == setup).ToList();
            if (connect.Count > 0)
            {
                var kib = Report.Median(connect, r => r.RssPerConnectionBytes ?? double.NaN) / 1024;
                ratios.Add(setup == "hubs"
                    ? new Ratio("connect: hubs idle RSS KiB per connection", kib, null, "< 20 KiB", kib < IdleKiBPerConnection)
                    : new Ratio("connect: plain idle RSS KiB per connection", kib, null, "", null));
            }
        }
        var crossFanout = $"{ScenarioNames.CrossInstance}/{ScenarioNames.RoomFanout}";
        var crossBroadcast = $"{ScenarioNames.CrossInstance}/{ScenarioNames.Broadcast}";
        CpuRatio(ratios, measured, crossFanout, "hubs-redis1", "hubs", "<= 1.3x in-memory", r => r <= RedisOverInMemory);
        CpuRatio(ratios, measured, crossFanout, "hubs-redis2", "hubs", "<= 1.3x in-memory", r => r <= RedisOverInMemory);
        CpuRatio(ratios, measured, crossBroadcast, "hubs-redis1", "hubs", "", null);
        CpuRatio(ratios, measured, crossBroadcast, "hubs-redis2", "hubs", "", null);
        foreach (var group in measured.Where(r => r.Scenario == crossFanout || r.Scenario == crossBroadcast).GroupBy(r => (r.Scenario, r.Setup)))
        {
            var runs = group.ToList();
            var under = runs.Count(r => r.P99Ms < P99Ms);
            var lost = runs.Sum(r => r.Lost + r.FailedSends + r.Duplicates);
            var isTarget = group.Key.Scenario == crossFanout && group.Key.Setup != "hubs";
            ratios.Add(new Ratio($"{group.Key.Scenario}/{group.Key.Setup}: runs with p99 < {P99Ms} ms, of {runs.Count} (lost, duplicated or failed: {lost})",
                under, null, isTarget ? "every run, nothing lost" : "", isTarget ? under == runs.Count && lost == 0 : null)
            {
                IsCount = true,
            });
        }
        return ratios;
    }

    private static void CpuRatio(List<Ratio> ratios, List<RunResult> measured, string scenario, string setup, string baseline, string target, Func<double, bool>? met)
    {
        var runs = measured.Where(r => r.Scenario == scenario && r.Setup == setup).OrderBy(r => r.Run).ToList();
        var reference = measured.Where(r => r.Scenario == scenario && r.Setup == baseline).OrderBy(r => r.Run).ToList();
        if (runs.Count == 0 || reference.Count == 0)
        {
            return;
        }
        var value = Report.Median(runs, r => r.ServerCpuMsPer1000) / Report.Median(reference, r => r.ServerCpuMsPer1000);
        var paired = Report.Median(runs.Zip(reference, (a, b) => a.ServerCpuMsPer1000 / b.ServerCpuMsPer1000));
        ratios.Add(new Ratio($"{scenario}: server CPU per event, {setup} / {baseline}", value, paired, target, met?.Invoke(value)));
    }
}
