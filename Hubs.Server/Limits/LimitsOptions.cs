using System.ComponentModel.DataAnnotations;

namespace Hubs.Server.Limits;

/// <summary>Configuration section <c>Limits</c>: abuse limits applied to every hub.</summary>
public sealed class LimitsOptions
{
    public const string Section = "Limits";

    /// <summary>Open connections one user may hold on one instance (tabs, devices).</summary>
    [Range(1, 10_000, ErrorMessage = "Limits:MaxConnectionsPerUser must be between 1 and 10000.")]
    public int MaxConnectionsPerUser { get; set; } = 20;

    /// <summary>Hub calls a connection may make per <see cref="RatePeriod"/> on average.</summary>
    [Range(1, 100_000, ErrorMessage = "Limits:CallsPerPeriod must be between 1 and 100000.")]
    public int CallsPerPeriod { get; set; } = 20;

    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00", ErrorMessage = "Limits:RatePeriod must be between 10 ms and 1 hour.")]
    public TimeSpan RatePeriod { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Calls a connection may make at once before the average applies.</summary>
    [Range(1, 100_000, ErrorMessage = "Limits:Burst must be between 1 and 100000.")]
    public int Burst { get; set; } = 40;

    /// <summary>
    /// Calls refused for the rate within <see cref="RejectedCallsWindow"/> after which the connection is closed
    /// (a client that ignores "Too many calls" is flooding, not bursting); 0 never closes.
    /// </summary>
    [Range(0, 1_000_000, ErrorMessage = "Limits:MaxRejectedCalls must be between 0 (never close) and 1000000.")]
    public int MaxRejectedCalls { get; set; } = 100;

    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "Limits:RejectedCallsWindow must be between 1 second and 1 hour.")]
    public TimeSpan RejectedCallsWindow { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Open hub connections (all hubs, all users) this instance accepts; the next one is closed with a reason.</summary>
    [Range(1, 10_000_000, ErrorMessage = "Limits:MaxConnectionsPerInstance must be between 1 and 10000000.")]
    public int MaxConnectionsPerInstance { get; set; } = 20_000;

    /// <summary>Rooms one chat connection may be in at once; joining one more fails with a HubException.</summary>
    [Range(1, 100_000, ErrorMessage = "Limits:MaxRoomsPerConnection must be between 1 and 100000.")]
    public int MaxRoomsPerConnection { get; set; } = 100;

    /// <summary>
    /// Hub calls of one connection that run at the same time (SignalR's MaximumParallelInvocationsPerClient). Further
    /// calls are not refused: SignalR stops reading that connection until one finishes.
    /// </summary>
    [Range(1, 1_000, ErrorMessage = "Limits:MaxParallelInvocationsPerClient must be between 1 and 1000.")]
    public int MaxParallelInvocationsPerClient { get; set; } = 1;
}
