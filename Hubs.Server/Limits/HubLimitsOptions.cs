using System.ComponentModel.DataAnnotations;

namespace Hubs.Server.Limits;

/// <summary>Configuration section <c>Hubs</c>: transport limits, the heartbeat and stateful reconnect.</summary>
public sealed class HubLimitsOptions : IValidatableObject
{
    public const string Section = "Hubs";

    /// <summary>A larger incoming hub message closes that connection with an error.</summary>
    [Range(1024, 16 * 1024 * 1024, ErrorMessage = "Hubs:MaximumReceiveMessageSize must be between 1024 and 16777216 bytes.")]
    public long MaximumReceiveMessageSize { get; set; } = 32 * 1024;

    /// <summary>How often the server pings an idle connection.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>A client silent for this long is considered gone.</summary>
    public TimeSpan ClientTimeoutInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Lets clients that ask for it resume a dropped connection without losing what was sent meanwhile. Each such
    /// connection keeps its unacknowledged messages and runs a one-second ack timer, which costs server CPU on every
    /// delivery (BENCHMARKS.md); switching it off leaves room history recovery as the only catch-up after a drop.
    /// </summary>
    public bool AllowStatefulReconnects { get; set; } = true;

    /// <summary>
    /// Ends the HTTP/1.1 connection of each negotiate request after its response. WebSocket clients (browsers and
    /// the .NET client alike) open the socket on a new connection, so the negotiate one would sit idle on the server
    /// until a keep-alive timeout: for a burst of connecting clients, twice the connections for a minute or two.
    /// Long-polling clients then pay one extra TCP handshake for their first poll; <c>false</c> keeps it open.
    /// </summary>
    public bool CloseNegotiateConnections { get; set; } = true;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (KeepAliveInterval <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Hubs:KeepAliveInterval must be positive.", [nameof(KeepAliveInterval)]);
        }
        // Clients ping at the same interval; a timeout under two intervals drops healthy connections.
        if (ClientTimeoutInterval < 2 * KeepAliveInterval)
        {
            yield return new ValidationResult(
                "Hubs:ClientTimeoutInterval must be at least twice Hubs:KeepAliveInterval.", [nameof(ClientTimeoutInterval)]);
        }
    }
}
