using Microsoft.AspNetCore.SignalR;

namespace Hubs.Server.Limits;

public static class SecuredHubExtensions
{
    /// <summary>
    /// Maps a hub with the policies every hub shares, applied once here: a signed-in user, the CORS policy
    /// for allowed browser origins, stateful reconnect, and a close when the
    /// token expires. Rate and connection limits are global hub filters.
    /// </summary>
    public static HubEndpointConventionBuilder MapSecuredHub<THub>(this IEndpointRouteBuilder app, string pattern)
        where THub : Hub
    {
        var hub = app.MapHub<THub>(pattern, options =>
        {
            options.AllowStatefulReconnects = true;
            // A connection must not outlive its token: SignalR checks the expiry every second and closes the connection.
            options.CloseOnAuthenticationExpiration = true;
        });
        hub.RequireAuthorization().RequireCors(LimitsExtensions.CorsPolicy);
        return hub;
    }
}
