using System.Security.Claims;
using Hubs.Contracts;

namespace Hubs.Server.Auth;

/// <summary>The JWT claim names the server reads, kept unmapped so <c>sub</c> stays <c>sub</c>.</summary>
public static class HubClaims
{
    public const string Subject = "sub";
    public const string Name = "name";
    public const string Role = "role";
    public const string AdminRole = "admin";

    public static string? UserId(this ClaimsPrincipal? principal) => principal?.FindFirst(Subject)?.Value;

    /// <summary>
    /// The claims the server reads (<c>sub</c>, <c>name</c>, roles) without the validated token behind them. A hub
    /// connection keeps its principal for as long as it is open, and the token's full claim set with its parsed
    /// payload and per-claim property dictionaries is several kilobytes per idle connection (BENCHMARKS.md).
    /// </summary>
    public static ClaimsPrincipal Slim(ClaimsPrincipal principal)
    {
        var source = principal.Identity as ClaimsIdentity;
        var kept = principal.Claims
            .Where(claim => claim.Type is Subject or Name or Role)
            .Select(claim => new Claim(claim.Type, claim.Value));
        return new ClaimsPrincipal(new ClaimsIdentity(kept, source?.AuthenticationType, Name, Role));
    }

    /// <summary>The user as others see them; the name falls back to the id.</summary>
    public static UserInfo ToUserInfo(this ClaimsPrincipal principal)
    {
        var id = principal.UserId() ?? throw new InvalidOperationException("The authenticated principal has no 'sub' claim.");
        var name = principal.FindFirst(Name)?.Value;
        return new UserInfo(id, string.IsNullOrWhiteSpace(name) ? id : name);
    }
}
