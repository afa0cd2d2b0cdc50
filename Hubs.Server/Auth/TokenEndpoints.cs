using Hubs.Contracts;

namespace Hubs.Server.Auth;

internal static class TokenEndpoints
{
    public static IResult IssueToken(TokenRequest? request, DevTokenIssuer issuer)
    {
        if (request is null || !UserNames.IsValid(request.UserName))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["userName"] = [$"userName must be {UserNames.Rule}."],
            });
        }
        var roles = request.Roles ?? [];
        if (!roles.All(UserNames.IsValid))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["roles"] = [$"Each role must be {UserNames.Rule}."],
            });
        }
        var (token, expiresAt) = issuer.Issue(request.UserName, roles);
        return TypedResults.Ok(new TokenResponse(token, expiresAt));
    }
}
