using Hubs.Bench;

if (args is ["--help"] or ["-h"])
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
// Each connection is a socket here and another in the server (which inherits this limit).
if (options.Scenarios.Contains(ScenarioNames.Connect) && Machine.OpenFilesLimit() < options.Connections + 1000)
{
    Console.Error.WriteLine($"connect needs more open files than the limit of {Machine.OpenFilesLimit()}: run `ulimit -n {options.Connections * 2 + 1000}` first.");
    return 2;
}
// Hundreds of connections in one process: start with enough threads that the load driver itself does not stall.
ThreadPool.SetMinThreads(Math.Max(64, Environment.ProcessorCount * 8), Math.Max(64, Environment.ProcessorCount * 8));

var started = DateTime.UtcNow;
var machine = Machine.Read();
var dlls = new ServerDlls(
    options.ServerDll ?? ServerBuild.Locate("Hubs.Server", "Hubs.Server.dll"),
    options.PlainDll ?? ServerBuild.Locate(Path.Combine("bench", "PlainHub"), "PlainHub.dll"),
    // Many connections share a user so that presence (each user's first connection is announced to all) does not dominate set-up.
    new Dictionary<string, string>(options.HubsEnvironment) { ["Limits__MaxConnectionsPerUser"] = Math.Max(20, options.ConnectionsPerUser).ToString(System.Globalization.CultureInfo.InvariantCulture) });
Report.Header(options, machine);
var results = new List<RunResult>();
var compared = options.Plain ? new[] { ServerSetup.PlainSignalR, ServerSetup.InMemory } : [ServerSetup.InMemory];
foreach (var scenario in options.Scenarios)
{
    switch (scenario)
    {
        case ScenarioNames.AckRtt:
            await Scenarios.InterleavedAsync(options, dlls, compared, results, (cluster, clients) => new AckLoad(cluster, clients, options.AckClients, options.AckRate));
            break;
        case ScenarioNames.RoomFanout:
            await Scenarios.InterleavedAsync(options, dlls, compared, results, (cluster, clients) => Scenarios.RoomFanout(options, scenario, cluster, clients));
            break;
        case ScenarioNames.Broadcast:
            await Scenarios.InterleavedAsync(options, dlls, compared, results, (cluster, clients) => Scenarios.Broadcast(options, scenario, cluster, clients));
            break;
        case ScenarioNames.Connect:
            foreach (var setup in compared)
            {
                await using var cluster = await dlls.StartAsync(setup);
                var result = await ConnectScenario.RunAsync(options, cluster);
                Report.Line(result);
                results.Add(result);
            }
            break;
        case ScenarioNames.CrossInstance:
            ServerSetup[] overRedis = options.Redis1 ? [ServerSetup.InMemory, ServerSetup.Redis1, ServerSetup.Redis2] : [ServerSetup.InMemory, ServerSetup.Redis2];
            await Scenarios.InterleavedAsync(options, dlls, overRedis, results,
                (cluster, clients) => Scenarios.RoomFanout(options, $"{scenario}/{ScenarioNames.RoomFanout}", cluster, clients), options.CrossRuns);
            await Scenarios.InterleavedAsync(options, dlls, overRedis, results,
                (cluster, clients) => Scenarios.Broadcast(options, $"{scenario}/{ScenarioNames.Broadcast}", cluster, clients), options.CrossRuns);
            break;
    }
}
var ratios = Ratios.Compute(results);
Console.Write(Report.Summary(results, ratios));
var json = options.JsonPath ?? ResultsFile.DefaultPath(started);
await ResultsFile.WriteAsync(json, started, machine, options, results, ratios);
Console.WriteLine($"JSON: {json}");
return 0;
