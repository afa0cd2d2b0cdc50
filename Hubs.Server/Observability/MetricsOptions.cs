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
    /// When set, the endpoint answers only requests to these hosts (ASP.NET Core <c>RequireHost</c> patterns), e.g.
    /// <c>*:9464</c> for a second, internal Kestrel port; any other host gets 404.
    /// </summary>
    public string[] RequireHost { get; set; } = [];

    /// <summary>Require a token with the admin role. Most Prometheus set-ups cannot send one; prefer <see cref="RequireHost"/>.</summary>
    public bool RequireAdminRole { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(Path) || !Path.StartsWith('/') || Path.AsSpan().IndexOfAny('?', '#') >= 0)
        {
            yield return new ValidationResult("Metrics:Path must be a path starting with '/', without query or fragment.", [nameof(Path)]);
        }
        if (RequireHost.Any(string.IsNullOrWhiteSpace))
        {
            yield return new ValidationResult("Metrics:RequireHost must not contain empty entries.", [nameof(RequireHost)]);
        }
    }
}
