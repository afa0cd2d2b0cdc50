namespace Hubs.Server.Auth;

/// <summary>Configuration section <c>Auth</c>: how access tokens are issued and validated.</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>Keys starting with this marker are for local development only; other environments refuse them.</summary>
    public const string DevelopmentKeyMarker = "DEV-ONLY";

    /// <summary>Symmetric HMAC-SHA256 key for tokens this server signs or trusts; at least 32 bytes.</summary>
    public string? SigningKey { get; set; }

    public string Issuer { get; set; } = "realtimehubs";

    public string Audience { get; set; } = "realtimehubs";

    /// <summary>A real OpenID Connect issuer; when set, tokens are validated against its published keys.</summary>
    public string? Authority { get; set; }

    public DevTokenOptions DevTokens { get; set; } = new();
}

/// <summary>Configuration section <c>Auth:DevTokens</c>: the built-in token signer for local use.</summary>
public sealed class DevTokenOptions
{
    public bool Enabled { get; set; }

    public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(8);
}
