using System.ComponentModel.DataAnnotations;

namespace Hubs.Server.Limits;

/// <summary>
/// Configuration section <c>SlowConsumers</c>: how much the server keeps for a client that does not read its
/// socket before it drops that client, so one stuck reader never holds up a room or the sender's ack.
/// </summary>
public sealed class SlowConsumerOptions
{
    public const string Section = "SlowConsumers";

    /// <summary>
    /// The guard writes straight through while a client keeps up and costs nothing measurable (BENCHMARKS.md);
    /// switched off, a client that stops reading holds up group sends until SignalR's own limits drop it.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Bytes written to one connection that its transport has not yet taken. Above this the connection is
    /// closed. Must exceed the largest single message the server sends (a join with full history).
    /// </summary>
    [Range(16 * 1024, 1024L * 1024 * 1024, ErrorMessage = "SlowConsumers:MaxBufferedBytes must be between 16384 and 1073741824 bytes.")]
    public long MaxBufferedBytes { get; set; } = 1024 * 1024;

    /// <summary>When a connection ends, how long its last bytes (e.g. the close message) may take to leave before it is aborted.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00", ErrorMessage = "SlowConsumers:DrainTimeout must be between 100 ms and 5 minutes.")]
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
