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
// 500 connections in one process: start with enough threads that the load driver itself does not stall.
ThreadPool.SetMinThreads(Math.Max(64, Environment.ProcessorCount * 8), Math.Max(64, Environment.ProcessorCount * 8));

var serverDll = options.ServerDll ?? ServerBuild.Locate();
Report.Header(options);
var results = new List<RunResult>();
foreach (var setup in options.Setups)
{
    await using var cluster = await BenchCluster.StartAsync(setup, serverDll);
    await using var load = new BenchLoad(options, cluster);
    await load.ConnectAsync();
    foreach (var scenario in options.Scenarios)
    {
        if (options.Warmup > TimeSpan.Zero)
        {
            var warmup = await load.RunAsync(scenario, options.Warmup, runNumber: 0);
            Report.Line(warmup);
            results.Add(warmup);
        }
        for (var run = 1; run <= options.Runs; run++)
        {
            var result = await load.RunAsync(scenario, options.RunDuration, run);
            Report.Line(result);
            results.Add(result);
        }
    }
}
Report.Summary(results);
return 0;
