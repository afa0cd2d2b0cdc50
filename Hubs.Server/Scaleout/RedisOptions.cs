using System.ComponentModel.DataAnnotations;

namespace Hubs.Server.Scaleout;

/// <summary>Configuration section <c>Redis</c>: shared state and the backplane for several instances.</summary>
/// <remarks>Without <see cref="ConnectionString"/> the server keeps all state in memory (a single instance).</remarks>
public sealed class RedisOptions : IValidatableObject
{
    public const string Section = "Redis";

    /// <summary>StackExchange.Redis configuration, e.g. <c>127.0.0.1:6379</c>; unset = in-memory state.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Prefix of every key and pub/sub channel, so several deployments can share one Redis.</summary>
    [Required(ErrorMessage = "Redis:ChannelPrefix is required.")]
    [RegularExpression("^[A-Za-z0-9_.-]{1,64}$", ErrorMessage = "Redis:ChannelPrefix must match ^[A-Za-z0-9_.-]{1,64}$.")]
    public string ChannelPrefix { get; set; } = "realtimehubs";

    /// <summary>
    /// How long an instance may miss its heartbeat before the others remove its connections (presence and
    /// room memberships) and tell everyone; also the upper bound on ghosts after a kill -9.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ErrorMessage = "Redis:PresenceExpiry must be between 1 second and 1 hour.")]
    public TimeSpan PresenceExpiry { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long a send with a clientMessageId stays "in progress" if the instance handling it dies; much
    /// shorter than Chat:DeduplicationWindow so the client's resend is not blocked for long.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00", ErrorMessage = "Redis:SendClaimExpiry must be between 1 second and 10 minutes.")]
    public TimeSpan SendClaimExpiry { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often each instance checks that its pub/sub subscriptions still deliver: it publishes a probe on every
    /// channel it listens to and expects it back (also right after every reconnect).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.1", "01:00:00", ErrorMessage = "Redis:SubscriptionCheckInterval must be between 100 milliseconds and 1 hour.")]
    public TimeSpan SubscriptionCheckInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long an instance waits for its own probe to come back before it calls the subscription lost,
    /// re-subscribes and reports not ready until a probe comes back again.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.1", "00:10:00", ErrorMessage = "Redis:SubscriptionProbeTimeout must be between 100 milliseconds and 10 minutes.")]
    public TimeSpan SubscriptionProbeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Whether Redis is configured at all.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(ConnectionString);

    /// <summary>How often an instance renews its heartbeat and looks for dead instances.</summary>
    public TimeSpan HeartbeatInterval => TimeSpan.FromTicks(Math.Max(PresenceExpiry.Ticks / 3, TimeSpan.FromMilliseconds(250).Ticks));

    /// <summary>
    /// Lifetime of the heartbeat key: a dead instance's key runs out at most this long after its last beat,
    /// and the next sweep (one interval later at most) removes its connections, within <see cref="PresenceExpiry"/>.
    /// </summary>
    public TimeSpan HeartbeatLifetime => PresenceExpiry - HeartbeatInterval;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Enabled)
        {
            string? error = null;
            try
            {
                StackExchange.Redis.ConfigurationOptions.Parse(ConnectionString!);
            }
            catch (ArgumentException e)
            {
                error = e.Message;
            }
            if (error is not null)
            {
                yield return new ValidationResult($"Redis:ConnectionString is not a valid Redis configuration: {error}", [nameof(ConnectionString)]);
            }
        }
    }
}
