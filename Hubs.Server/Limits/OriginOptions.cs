using System.ComponentModel.DataAnnotations;

namespace Hubs.Server.Limits;

/// <summary>
/// Configuration section <c>Cors</c>: which browser pages may use the hubs. Named apart from ASP.NET Core's
/// <c>CorsOptions</c>, which holds the policies built from it.
/// </summary>
public sealed class OriginOptions : IValidatableObject
{
    public const string Section = "Cors";

    /// <summary>
    /// Browser origins allowed besides the server's own (e.g. <c>https://app.example.com</c>), or <c>*</c>.
    /// Requests without an Origin header (non-browser clients) are not affected.
    /// </summary>
    public string[] AllowedOrigins { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        for (var i = 0; i < AllowedOrigins.Length; i++)
        {
            var origin = AllowedOrigins[i];
            // An origin is scheme://host[:port] and nothing else; a path or a trailing slash would never match a browser's header.
            if (origin != "*" && !(Uri.TryCreate(origin, UriKind.Absolute, out var uri)
                && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
                && string.Equals(uri.GetLeftPart(UriPartial.Authority), origin, StringComparison.OrdinalIgnoreCase)))
            {
                yield return new ValidationResult(
                    $"Cors:AllowedOrigins:{i} must be '*' or an origin like https://app.example.com (scheme, host and optional port; no path), not '{origin}'.",
                    [nameof(AllowedOrigins)]);
            }
        }
    }
}
