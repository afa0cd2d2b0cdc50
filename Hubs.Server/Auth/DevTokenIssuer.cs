using System.Security.Claims;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Hubs.Server.Auth;

/// <summary>Signs access tokens with the configured symmetric key (development and tests).</summary>
public sealed class DevTokenIssuer(IOptions<AuthOptions> options, TimeProvider timeProvider)
{
    private readonly JsonWebTokenHandler _handler = new();

    public (string Token, DateTime ExpiresAt) Issue(string userName, IEnumerable<string> roles, TimeSpan? lifetime = null)
    {
        var settings = options.Value;
        var now = timeProvider.GetUtcNow().UtcDateTime;
        var expires = now + (lifetime ?? settings.DevTokens.Lifetime);
        var claims = new List<Claim> { new(HubClaims.Subject, userName), new(HubClaims.Name, userName) };
        claims.AddRange(roles.Distinct(StringComparer.Ordinal).Select(role => new Claim(HubClaims.Role, role)));

        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = settings.Issuer,
            Audience = settings.Audience,
            Subject = new ClaimsIdentity(claims),
            // An expired token needs a NotBefore before its expiry, or the handler rejects the descriptor.
            NotBefore = expires < now ? expires.AddMinutes(-1) : now,
            IssuedAt = expires < now ? expires.AddMinutes(-1) : now,
            Expires = expires,
            SigningCredentials = new SigningCredentials(CreateKey(settings), SecurityAlgorithms.HmacSha256),
        };
        return (_handler.CreateToken(descriptor), expires);
    }

    internal static SymmetricSecurityKey CreateKey(AuthOptions settings) =>
        new(Encoding.UTF8.GetBytes(settings.SigningKey ?? throw new InvalidOperationException("Auth:SigningKey is not set.")));
}
