using System.ComponentModel.DataAnnotations;

namespace Hubs.Server.Observability;

/// <summary>Configuration section <c>Metrics</c>: the Prometheus scrape endpoint.</summary>
public sealed class MetricsOptions : IValidatableObject
{
    public const string Section = "Metrics";

    /// <summary>Collect metrics and serve them at <see cref="Path"/>.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Where Prometheus scrapes, in its text format.</summary>
    public string Path { get; set; } = "/metrics";

    /// <summary>
    /// When set, the endpoint answers only on this local port (a second Kestrel endpoint kept off the public network);
    /// on any other port it answers 404. The socket's port is checked, not the Host header, which a client chooses.
    /// </summary>
    [Range(1, 65535, ErrorMessage = "Metrics:Port must be between 1 and 65535.")]
    public int? Port { get; set; }

    /// <summary>Require a token with the admin role. Most Prometheus set-ups cannot send one; prefer <see cref="Port"/>.</summary>
    public bool RequireAdminRole { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(Path) || !Path.StartsWith('/') || Path.AsSpan().IndexOfAny('?', '#') >= 0)
        {
            yield return new ValidationResult("Metrics:Path must be a path starting with '/', without query or fragment.", [nameof(Path)]);
        }
    }
}
