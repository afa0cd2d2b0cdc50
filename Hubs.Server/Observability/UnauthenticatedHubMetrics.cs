using Hubs.Contracts;
using Hubs.Server.Stats;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace Hubs.Server.Observability;

/// <summary>
/// Counts hub requests refused for want of a valid token (401), by wrapping the JWT handler's challenge event
/// after the auth feature has configured it, so the auth code needs no metrics of its own.
/// </summary>
internal sealed class UnauthenticatedHubMetrics(HubMetrics metrics) : IPostConfigureOptions<JwtBearerOptions>
{
    public void PostConfigure(string? name, JwtBearerOptions options)
    {
        options.Events ??= new JwtBearerEvents();
        var challenge = options.Events.OnChallenge;
        options.Events.OnChallenge = context =>
        {
            if (context.Request.Path.StartsWithSegments(HubRoutes.Prefix))
            {
                metrics.ConnectionRejected(HubMetrics.RejectedUnauthenticated);
            }
            return challenge(context);
        };
    }
}
