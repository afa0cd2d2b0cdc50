namespace Hubs.Contracts;

/// <summary>REST routes of the server that clients call.</summary>
public static partial class ApiRoutes
{
    /// <summary>Development token signer: POST a <see cref="TokenRequest"/>, get a <see cref="TokenResponse"/>.</summary>
    public const string Token = "/api/auth/token";
}

/// <summary>Body of a development token request.</summary>
/// <param name="UserName">User id and display name, <c>^[A-Za-z0-9_.-]{1,64}$</c>.</param>
/// <param name="Roles">Roles to put in the token, e.g. <c>admin</c>.</param>
public sealed record TokenRequest(string UserName, IReadOnlyList<string>? Roles = null);

/// <summary>A signed access token and when it expires (UTC).</summary>
public sealed record TokenResponse(string AccessToken, DateTime ExpiresAt);
