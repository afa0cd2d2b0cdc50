namespace Hubs.Bench;

/// <summary>The measurements of one run.</summary>
internal sealed record RunResult(
    string Setup,
    string Scenario,
    int Run,
    bool Warmup,
    int Delivered,
    int Expected,
    int FailedSends,
    int Duplicates,
    double DeliveriesPerSecond,
    double P50Ms,
    double P99Ms,
    double MaxMs,
    TimeSpan ServerCpu,
    TimeSpan RedisCpu,
    TimeSpan BenchCpu,
    double OtherLoadCores,
    bool UsesRedis)
{
    public int Lost => Math.Max(0, Expected - Delivered);

    public double ServerCpuMsPer1000 => Per1000(ServerCpu);

    public double RedisCpuMsPer1000 => Per1000(RedisCpu);

    private double Per1000(TimeSpan cpu) => Delivered == 0 ? double.NaN : cpu.TotalMilliseconds / (Delivered / 1000.0);
}
