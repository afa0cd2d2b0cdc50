namespace Hubs.Bench;

/// <summary>One scenario's clients on one cluster: connected once, then measured run after run.</summary>
internal interface IWorkload : IAsyncDisposable
{
    BenchCluster Cluster { get; }

    Task ConnectAsync();

    /// <summary>Sends for <paramref name="duration"/>, waits for what is in flight, and measures; run 0 is the warm-up.</summary>
    Task<RunResult> RunAsync(TimeSpan duration, int runNumber);
}
