using System.Globalization;
using System.Text;

namespace Hubs.Bench;

/// <summary>Prints each run as it finishes, then a Markdown summary per scenario and setup, the ratios and the targets.</summary>
internal static class Report
{
    public static void Header(BenchOptions options, Machine machine)
    {
        Console.WriteLine(Invariant($"# Hubs.Bench {DateTime.UtcNow:yyyy-MM-dd HH:mm}Z  {machine.Cores} cores ({machine.CpuModel}), {machine.MemoryBytes / (1 << 30)} GiB  load={machine.LoadAverage}"));
        Console.WriteLine(Invariant($"# ack-rtt: {options.AckClients} clients x {options.AckRate} msg/s; room-fanout: {options.Rooms} rooms x {options.MembersPerRoom} members, one sender per room at {options.Rate} msg/s; broadcast: {options.BroadcastClients} receivers, one sender at {options.BroadcastRate} msg/s; connect: {options.Connections} idle connections"));
        Console.WriteLine(Invariant($"# {options.Runs} runs ({options.CrossRuns} for cross-instance) of {options.RunDuration.TotalSeconds} s after a {options.Warmup.TotalSeconds} s warm-up, setups interleaved run by run; protocol {options.Protocol}; clients run in this process on the same machine"));
    }

    public static void Line(RunResult r) => Console.WriteLine(
        Invariant($"{r.Scenario,-26} {r.Setup,-11} {(r.Warmup ? "warm-up" : "run " + r.Run),-7} {r.EventsPerSecond,8:F0} events/s  p50 {r.P50Ms,7:F2} ms  p99 {r.P99Ms,7:F2} ms  max {r.MaxMs,7:F1} ms  ") +
        Invariant($"lost {r.Lost} dup {r.Duplicates} failed {r.FailedSends}  server CPU {r.ServerCpuMsPer1000,6:F1} ms/1k  redis {r.RedisCpuMsPer1000,5:F1} ms/1k  RSS {r.ServerRssBytes / 1048576.0,6:F1} MB") +
        (r.RssPerConnectionBytes is { } perConnection ? Invariant($" ({perConnection / 1024:F1} KiB/connection)") : "") +
        Invariant($"  bench CPU {r.BenchCpu.TotalSeconds,5:F1} s  other load {r.OtherLoadCores:F2} cores"));

    public static string Summary(IReadOnlyList<RunResult> results, IReadOnlyList<Ratio> ratios)
    {
        var measured = results.Where(r => !r.Warmup).ToList();
        var text = new StringBuilder();
        text.AppendLine().AppendLine("| scenario | setup | runs | events/s | p50 ms | p99 ms (median / worst) | server CPU ms per 1k events (median, min-max) | Redis CPU ms/1k | server RSS MB | RSS per connection KiB | lost, dup, failed | other load, cores |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var group in measured.GroupBy(r => (r.Scenario, r.Setup)))
        {
            var runs = group.ToList();
            var perConnection = runs[0].RssPerConnectionBytes is null ? "-" : Invariant($"{Median(runs, r => r.RssPerConnectionBytes!.Value) / 1024:F1}");
            text.Append(Invariant($"| {group.Key.Scenario} | {group.Key.Setup} | {runs.Count} | {Median(runs, r => r.EventsPerSecond):F0} | {Median(runs, r => r.P50Ms):F2} | "))
                .Append(Invariant($"{Median(runs, r => r.P99Ms):F2} / {runs.Max(r => r.P99Ms):F2} | {Median(runs, r => r.ServerCpuMsPer1000):F1} ({runs.Min(r => r.ServerCpuMsPer1000):F1}-{runs.Max(r => r.ServerCpuMsPer1000):F1}) | "))
                .Append(runs[0].UsesRedis ? Invariant($"{Median(runs, r => r.RedisCpuMsPer1000):F1}") : "-")
                .AppendLine(Invariant($" | {Median(runs, r => r.ServerRssBytes) / 1048576:F0} | {perConnection} | {runs.Sum(r => r.Lost)}, {runs.Sum(r => r.Duplicates)}, {runs.Sum(r => r.FailedSends)} | {Median(runs, r => r.OtherLoadCores):F2} |"));
        }
        text.AppendLine();
        foreach (var ratio in ratios)
        {
            text.AppendLine(ratio.ToString());
        }
        return text.ToString();
    }

    public static double Median(IEnumerable<RunResult> runs, Func<RunResult, double> value) => Median(runs.Select(value));

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
