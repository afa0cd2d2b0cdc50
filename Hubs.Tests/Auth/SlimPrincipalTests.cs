using System.Security.Claims;
using Hubs.Server.Auth;

namespace Hubs.Tests.Auth;

/// <summary>What an open connection keeps of its token: the claims the server reads, and nothing else.</summary>
public sealed class SlimPrincipalTests
{
    [Fact]
    public void TheSlimPrincipalKeepsSubjectNameAndRolesAndDropsEverythingElse()
    {
        var claims = new[]
        {
            new Claim(HubClaims.Subject, "alice-1"),
            new Claim(HubClaims.Name, "Alice"),
            new Claim(HubClaims.Role, HubClaims.AdminRole),
            new Claim(HubClaims.Role, "moderator"),
            new Claim("email", "alice@example.test"),
            new Claim("exp", "1900000000"),
        };
        var token = new ClaimsPrincipal(new ClaimsIdentity(claims, "Bearer", HubClaims.Name, HubClaims.Role));
        claims[0].Properties["json_type"] = "string";

        var slim = HubClaims.Slim(token);

        Assert.Equal(["sub", "name", "role", "role"], slim.Claims.Select(claim => claim.Type));
        Assert.Equal("alice-1", slim.UserId());
        Assert.Equal("Alice", slim.Identity!.Name);
        Assert.True(slim.Identity.IsAuthenticated);
        Assert.Equal("Bearer", slim.Identity.AuthenticationType);
        Assert.True(slim.IsInRole(HubClaims.AdminRole));
        Assert.True(slim.IsInRole("moderator"));
        Assert.All(slim.Claims, claim => Assert.Empty(claim.Properties));
    }
}
