using Microsoft.AspNetCore.SignalR;

namespace Hubs.Server.Limits;

public static class SecuredHubExtensions
{
    /// <summary>
    /// Maps a hub with the policies every hub shares, applied once here: a signed-in user, the CORS policy
    /// for allowed browser origins, and stateful reconnect. Rate and connection limits are global hub filters.
    /// </summary>
    public static HubEndpointConventionBuilder MapSecuredHub<THub>(this IEndpointRouteBuilder app, string pattern)
        where THub : Hub
    {
        var hub = app.MapHub<THub>(pattern, options => options.AllowStatefulReconnects = true);
        hub.RequireAuthorization().RequireCors(LimitsExtensions.CorsPolicy);
        return hub;
    }
}
