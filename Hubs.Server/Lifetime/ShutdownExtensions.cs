using Hubs.Contracts;

namespace Hubs.Server.Lifetime;

public static class ShutdownExtensions
{
    /// <summary>
    /// Refuses new hub requests (503) once the server is stopping. SignalR closes its connections as soon as
    /// stopping begins, but Kestrel stops listening only later; a client that reconnects at once in between
    /// (SignalR's stateful reconnect does) would hold the shutdown open until the host's timeout (30 s)
    /// (dotnet/aspnetcore#58947). Refused, it falls back to its reconnect policy and finds the next instance.
    /// </summary>
    public static IApplicationBuilder UseHubShutdownGate(this IApplicationBuilder app)
    {
        var stopping = app.ApplicationServices.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        return app.Use(async (context, next) =>
        {
            if (stopping.IsCancellationRequested && context.Request.Path.StartsWithSegments(HubRoutes.Prefix))
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.Headers.Connection = "close";
                return;
            }
            await next(context);
        });
    }
}
