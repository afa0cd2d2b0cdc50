using System.Diagnostics;

namespace Hubs.Bench;

/// <summary>
/// connect: opens many idle connections, lets them settle, and reads how much the servers' RSS grew per
/// connection; the events are connections, so the CPU figure is per 1,000 connects.
/// </summary>
internal static class ConnectScenario
{
    /// <summary>Connections opened and closed first so the baseline RSS already holds the code and pools a connection needs.</summary>
    private const int WarmupConnections = 200;

    public static async Task<RunResult> RunAsync(BenchOptions options, BenchCluster cluster)
    {
        var clients = new BenchClients(options, cluster);
        var warmup = await clients.ConnectAsync(WarmupConnections, _ => null, () => null, options.ConnectionsPerUser);
        await Task.WhenAll(warmup.Select(u => u.DisposeAsync().AsTask()));
        await Task.Delay(TimeSpan.FromSeconds(2));
        var rssBefore = cluster.Rss();

        var connectTimes = new RunRecorder(1, options.Connections);
        var meter = RunMeter.Start(cluster);
        var users = await clients.ConnectAsync(options.Connections, _ => null, () => null, options.ConnectionsPerUser, connectTimes);
        var elapsed = meter.Elapsed;
        var cpu = meter.Stop();
        try
        {
            var rssAfter = await SettledRssAsync(cluster, options.Settle);
            var (p50, p99, max) = connectTimes.Latency();
            return new RunResult(ScenarioNames.Connect, cluster.Setup.Name, 1, false, connectTimes.Deliveries, options.Connections, 0, 0,
                connectTimes.Deliveries / elapsed.TotalSeconds, p50, p99, max, cpu.Servers, cpu.Redis, cpu.Bench, cpu.OtherCores,
                rssAfter, cluster.Setup.Redis, RssPerConnectionBytes: (rssAfter - rssBefore) / (double)options.Connections);
        }
        finally
        {
            await Task.WhenAll(users.Select(u => u.DisposeAsync().AsTask()));
        }
    }

    /// <summary>Waits <paramref name="settle"/>, then until RSS moves less than 1% in a second (at most as long again).</summary>
    private static async Task<long> SettledRssAsync(BenchCluster cluster, TimeSpan settle)
    {
        await Task.Delay(settle);
        var deadline = Stopwatch.StartNew();
        var last = cluster.Rss();
        while (deadline.Elapsed < settle)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            var now = cluster.Rss();
            if (Math.Abs(now - last) < last / 100)
            {
                return now;
            }
            last = now;
        }
        return last;
    }
}
