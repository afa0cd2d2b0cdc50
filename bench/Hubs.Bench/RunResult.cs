namespace Hubs.Bench;

/// <summary>The measurements of one run of one scenario on one server setup.</summary>
/// <remarks>
/// Events are acks (ack-rtt), deliveries (room-fanout, broadcast) or connections (connect).
/// RssPerConnectionBytes (connect only) is the growth of the servers' RSS per idle connection after settling.
/// </remarks>
internal sealed record RunResult(
    string Scenario,
    string Setup,
    int Run,
    bool Warmup,
    int Events,
    int Expected,
    int FailedSends,
    int Duplicates,
    double EventsPerSecond,
    double P50Ms,
    double P99Ms,
    double MaxMs,
    TimeSpan ServerCpu,
    TimeSpan RedisCpu,
    TimeSpan BenchCpu,
    double OtherLoadCores,
    long ServerRssBytes,
    bool UsesRedis,
    double? RssPerConnectionBytes = null)
{
    public int Lost => Math.Max(0, Expected - Events);

    public double ServerCpuMsPer1000 => Per1000(ServerCpu);

    public double RedisCpuMsPer1000 => Per1000(RedisCpu);

    private double Per1000(TimeSpan cpu) => Events == 0 ? double.NaN : cpu.TotalMilliseconds / (Events / 1000.0);
}

/// <summary>CPU readings at the start of a run: the servers', Redis's, the bench's own and the whole machine's.</summary>
internal sealed class RunMeter
{
    private readonly BenchCluster _cluster;
    private readonly (TimeSpan Servers, TimeSpan Redis) _cpu;
    private readonly TimeSpan _benchCpu;
    private readonly TimeSpan _machine;
    private readonly System.Diagnostics.Stopwatch _clock;

    private RunMeter(BenchCluster cluster)
    {
        _cluster = cluster;
        _cpu = cluster.Cpu();
        _benchCpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        _machine = MachineCpu.Busy();
        _clock = System.Diagnostics.Stopwatch.StartNew();
    }

    public TimeSpan Elapsed => _clock.Elapsed;

    public static RunMeter Start(BenchCluster cluster) => new(cluster);

    /// <summary>CPU used since the start: servers, Redis, the bench, and other processes (in cores, averaged).</summary>
    public (TimeSpan Servers, TimeSpan Redis, TimeSpan Bench, double OtherCores) Stop()
    {
        var cpu = _cluster.Cpu();
        var bench = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - _benchCpu;
        var servers = cpu.Servers - _cpu.Servers;
        var redis = cpu.Redis - _cpu.Redis;
        // Whatever else ran on the machine meanwhile (other people's builds and tests on a shared box).
        var other = Math.Max(0, (MachineCpu.Busy() - _machine - servers - redis - bench).TotalSeconds / _clock.Elapsed.TotalSeconds);
        return (servers, redis, bench, other);
    }
}
