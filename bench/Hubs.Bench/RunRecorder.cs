using System.Diagnostics;

namespace Hubs.Bench;

/// <summary>What the receivers saw during one run: every delivery's latency, and duplicates.</summary>
internal sealed class RunRecorder(int run, int capacity)
{
    private readonly double[] _latenciesMs = new double[capacity];
    private int _count;
    private int _duplicates;
    private int _overflow;

    public int Run { get; } = run;

    /// <summary>Deliveries recorded (first time a receiver saw a message).</summary>
    public int Deliveries => Math.Min(Volatile.Read(ref _count), _latenciesMs.Length) + Volatile.Read(ref _overflow);

    public int Duplicates => Volatile.Read(ref _duplicates);

    public void Delivered(long sentTimestamp)
    {
        var latency = Stopwatch.GetElapsedTime(sentTimestamp).TotalMilliseconds;
        var slot = Interlocked.Increment(ref _count) - 1;
        if (slot < _latenciesMs.Length)
        {
            _latenciesMs[slot] = latency;
        }
        else
        {
            Interlocked.Increment(ref _overflow);
        }
    }

    public void Duplicate() => Interlocked.Increment(ref _duplicates);

    public (double P50, double P99, double Max) Latency()
    {
        var n = Math.Min(Volatile.Read(ref _count), _latenciesMs.Length);
        if (n == 0)
        {
            return (double.NaN, double.NaN, double.NaN);
        }
        var sorted = _latenciesMs.AsSpan(0, n).ToArray();
        Array.Sort(sorted);
        return (Percentile(sorted, 0.50), Percentile(sorted, 0.99), sorted[^1]);
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
