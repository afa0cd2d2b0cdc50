using System.Globalization;
using System.Text;

namespace Hubs.Bench;

/// <summary>Prints each run as it finishes, then a Markdown summary per setup and scenario and the issue's targets.</summary>
internal static class Report
{
    private const double P99TargetMs = 20;
    private const double CpuRatioTarget = 1.3;

    public static void Header(BenchOptions options)
    {
        Console.WriteLine(Invariant($"# Hubs.Bench {DateTime.UtcNow:yyyy-MM-dd HH:mm}Z  cores={Environment.ProcessorCount}  load={LoadAverage()}"));
        Console.WriteLine(Invariant($"# fan-out: {options.Rooms} rooms x {options.MembersPerRoom} members, one sender per room at {options.Rate} msg/s; broadcast: {options.Clients} receivers, one sender at {options.Rate} msg/s"));
        Console.WriteLine(Invariant($"# {options.Runs} runs of {options.RunDuration.TotalSeconds} s after a {options.Warmup.TotalSeconds} s warm-up; protocol {options.Protocol}; clients run in this process on the same machine"));
    }

    public static void Line(RunResult r) => Console.WriteLine(
        Invariant($"{r.Setup,-9} {r.Scenario,-9} {(r.Warmup ? "warm-up" : "run " + r.Run),-7} {r.DeliveriesPerSecond,8:F0} deliveries/s  p50 {r.P50Ms,6:F2} ms  p99 {r.P99Ms,7:F2} ms  max {r.MaxMs,7:F1} ms  ") +
        Invariant($"lost {r.Lost} dup {r.Duplicates} failed-sends {r.FailedSends}  server CPU {r.ServerCpuMsPer1000,6:F1} ms/1k  redis CPU {r.RedisCpuMsPer1000,5:F1} ms/1k  bench CPU {r.BenchCpu.TotalSeconds,5:F1} s  other load {r.OtherLoadCores:F2} cores"));

    public static void Summary(IReadOnlyList<RunResult> results)
    {
        var measured = results.Where(r => !r.Warmup).ToList();
        var text = new StringBuilder();
        text.AppendLine().AppendLine("| setup | scenario | runs | deliveries/s (median) | p50 ms (median) | p99 ms (median / worst) | server CPU ms per 1k deliveries (median, min-max) | Redis CPU ms per 1k (median) | lost | duplicates | other load, cores (median) |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var group in measured.GroupBy(r => (r.Setup, r.Scenario)))
        {
            var runs = group.ToList();
            text.Append(Invariant($"| {group.Key.Setup} | {group.Key.Scenario} | {runs.Count} | {Median(runs, r => r.DeliveriesPerSecond):F0} | {Median(runs, r => r.P50Ms):F2} | "))
                .Append(Invariant($"{Median(runs, r => r.P99Ms):F2} / {runs.Max(r => r.P99Ms):F2} | {Median(runs, r => r.ServerCpuMsPer1000):F1} ({runs.Min(r => r.ServerCpuMsPer1000):F1}-{runs.Max(r => r.ServerCpuMsPer1000):F1}) | "))
                .AppendLine(Invariant($"{(runs[0].UsesRedis ? Median(runs, r => r.RedisCpuMsPer1000).ToString("F1", CultureInfo.InvariantCulture) : "-")} | {runs.Sum(r => r.Lost)} | {runs.Sum(r => r.Duplicates)} | {Median(runs, r => r.OtherLoadCores):F2} |"));
        }
        text.AppendLine();
        foreach (var scenario in measured.Select(r => r.Scenario).Distinct())
        {
            var inMemory = measured.Where(r => r.Scenario == scenario && r.Setup == SetupNames.InMemory).ToList();
            foreach (var setup in measured.Where(r => r.Scenario == scenario && r.UsesRedis).Select(r => r.Setup).Distinct())
            {
                var runs = measured.Where(r => r.Scenario == scenario && r.Setup == setup).ToList();
                if (inMemory.Count > 0)
                {
                    var ratio = Median(runs, r => r.ServerCpuMsPer1000) / Median(inMemory, r => r.ServerCpuMsPer1000);
                    var withRedis = Median(runs, r => r.ServerCpuMsPer1000 + r.RedisCpuMsPer1000) / Median(inMemory, r => r.ServerCpuMsPer1000);
                    text.AppendLine(Invariant($"{scenario}/{setup}: server CPU {ratio:F2}x in-memory ({withRedis:F2}x counting Redis); target <= {CpuRatioTarget}x: {(ratio <= CpuRatioTarget ? "met" : "NOT met")}"));
                }
            }
        }
        foreach (var group in measured.GroupBy(r => (r.Setup, r.Scenario)))
        {
            var runs = group.ToList();
            var under = runs.Count(r => r.P99Ms < P99TargetMs);
            var lost = runs.Sum(r => r.Lost + r.FailedSends);
            text.AppendLine(Invariant($"{group.Key.Scenario}/{group.Key.Setup}: p99 < {P99TargetMs} ms in {under} of {runs.Count} runs; lost or failed: {lost}"));
        }
        Console.Write(text);
    }

    private static double Median(IEnumerable<RunResult> runs, Func<RunResult, double> value)
    {
        var sorted = runs.Select(value).Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
