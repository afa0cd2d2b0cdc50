using Hubs.Contracts;

namespace Hubs.Server.Lifetime;

public static class ShutdownExtensions
{
    /// <summary>
    /// Refuses new hub requests (503) once the server is stopping. Connections are closed as soon as stopping
    /// begins (<see cref="ShutdownConnectionCloser"/>), but Kestrel keeps listening for a few seconds more while
    /// SignalR's own stopping callback runs; a client that reconnects at once in between would be accepted by a
    /// server on its way out (dotnet/aspnetcore#58947). Refused, it falls back to its reconnect policy and finds
    /// the next instance.
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
