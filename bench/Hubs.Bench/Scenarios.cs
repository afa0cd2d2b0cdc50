namespace Hubs.Bench;

/// <summary>The builds the bench starts.</summary>
internal sealed record ServerDlls(string Hubs, string Plain, IReadOnlyDictionary<string, string> HubsSettings)
{
    public string For(ServerSetup setup) => setup.Plain ? Plain : Hubs;

    public Task<BenchCluster> StartAsync(ServerSetup setup) =>
        BenchCluster.StartAsync(setup, For(setup), setup.Plain ? new Dictionary<string, string>() : HubsSettings);
}

/// <summary>Runs a workload on several setups at once, run by run in turn, so compared figures share the same noise.</summary>
internal static class Scenarios
{
    public static FanoutLoad RoomFanout(BenchOptions options, string name, BenchCluster cluster, BenchClients clients) =>
        new(name, cluster, clients, options.Rooms, options.MembersPerRoom, options.Rate, broadcast: false);

    /// <summary>The receivers join no room and share users, so the presence announcements at connect stay few.</summary>
    public static FanoutLoad Broadcast(BenchOptions options, string name, BenchCluster cluster, BenchClients clients) =>
        new(name, cluster, clients, rooms: 1, members: options.BroadcastClients, options.BroadcastRate, broadcast: true, options.ConnectionsPerUser);

    public static async Task InterleavedAsync(BenchOptions options, ServerDlls dlls, IReadOnlyList<ServerSetup> setups, List<RunResult> results,
        Func<BenchCluster, BenchClients, IWorkload> workload, int? runs = null)
    {
        var clusters = new List<BenchCluster>();
        var loads = new List<IWorkload>();
        try
        {
            foreach (var setup in setups)
            {
                var cluster = await dlls.StartAsync(setup);
                clusters.Add(cluster);
                var load = workload(cluster, new BenchClients(options, cluster));
                loads.Add(load);
                await load.ConnectAsync();
            }
            if (options.Warmup > TimeSpan.Zero)
            {
                foreach (var load in loads)
                {
                    Record(results, await load.RunAsync(options.Warmup, runNumber: 0));
                }
            }
            for (var run = 1; run <= (runs ?? options.Runs); run++)
            {
                // Alternate which setup goes first, so neither always follows the other's drain.
                foreach (var load in run % 2 == 1 ? loads : Enumerable.Reverse(loads))
                {
                    Record(results, await load.RunAsync(options.RunDuration, run));
                }
            }
        }
        finally
        {
            foreach (var load in loads)
            {
                await load.DisposeAsync();
            }
            foreach (var cluster in clusters)
            {
                await cluster.DisposeAsync();
            }
        }
    }

    private static void Record(List<RunResult> results, RunResult result)
    {
        Report.Line(result);
        results.Add(result);
    }
}
