using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hubs.Bench;

/// <summary>Writes one bench run (machine, options, every run's figures, the ratios) as JSON.</summary>
internal static class ResultsFile
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string DefaultPath(DateTime startedUtc)
    {
        var repo = new DirectoryInfo(AppContext.BaseDirectory);
        while (repo is not null && !File.Exists(Path.Combine(repo.FullName, "RealtimeHubs.sln")))
        {
            repo = repo.Parent;
        }
        var folder = repo is null ? Directory.GetCurrentDirectory() : Path.Combine(repo.FullName, "bench", "results");
        return Path.Combine(folder, $"{startedUtc:yyyy-MM-dd-HHmm}.json");
    }

    public static async Task WriteAsync(string path, DateTime startedUtc, Machine machine, BenchOptions options, IReadOnlyList<RunResult> results, IReadOnlyList<Ratio> ratios)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var document = new
        {
            startedUtc,
            machine,
            commandLine = Environment.GetCommandLineArgs().Skip(1),
            options = new
            {
                options.Runs,
                runSeconds = options.RunDuration.TotalSeconds,
                warmupSeconds = options.Warmup.TotalSeconds,
                options.Scenarios,
                options.AckClients,
                options.AckRate,
                options.Rooms,
                options.MembersPerRoom,
                options.Rate,
                options.BroadcastClients,
                options.BroadcastRate,
                options.Connections,
                settleSeconds = options.Settle.TotalSeconds,
                options.ConnectionsPerUser,
                protocol = options.Protocol.ToString(),
            },
            runs = results.Select(r => new
            {
                r.Scenario,
                r.Setup,
                r.Run,
                r.Warmup,
                r.Events,
                r.Expected,
                r.Lost,
                r.Duplicates,
                r.FailedSends,
                r.EventsPerSecond,
                r.P50Ms,
                r.P99Ms,
                r.MaxMs,
                serverCpuMs = r.ServerCpu.TotalMilliseconds,
                r.ServerCpuMsPer1000,
                redisCpuMs = r.RedisCpu.TotalMilliseconds,
                r.RedisCpuMsPer1000,
                benchCpuMs = r.BenchCpu.TotalMilliseconds,
                r.OtherLoadCores,
                r.ServerRssBytes,
                r.RssPerConnectionBytes,
            }),
            ratios,
        };
        await using var file = File.Create(path);
        await JsonSerializer.SerializeAsync(file, document, Json);
    }
}
