using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Hubs.Server.Limits;

public static class SecuredHubExtensions
{
    /// <summary>
    /// Maps a hub with the policies every hub shares, applied once here: a signed-in user, the CORS policy
    /// for allowed browser origins, stateful reconnect (unless <c>Hubs:AllowStatefulReconnects</c> is false), and a
    /// close when the token expires. Rate and connection limits are global hub filters.
    /// </summary>
    public static HubEndpointConventionBuilder MapSecuredHub<THub>(this IEndpointRouteBuilder app, string pattern)
        where THub : Hub
    {
        var limits = app.ServiceProvider.GetRequiredService<IOptions<HubLimitsOptions>>().Value;
        var hub = app.MapHub<THub>(pattern, options =>
        {
            options.AllowStatefulReconnects = limits.AllowStatefulReconnects;
            // A connection must not outlive its token: SignalR checks the expiry every second and closes the connection.
            options.CloseOnAuthenticationExpiration = true;
        });
        hub.RequireAuthorization().RequireCors(LimitsExtensions.CorsPolicy);
        return hub;
    }
}
