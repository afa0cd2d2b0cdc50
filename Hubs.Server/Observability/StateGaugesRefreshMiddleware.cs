using Hubs.Server.Stats;

namespace Hubs.Server.Observability;

/// <summary>Runs in front of the Prometheus exporter: samples the stores so the gauges report this scrape's values.</summary>
internal sealed class StateGaugesRefreshMiddleware(RequestDelegate next, StateGauges gauges, ILogger<StateGaugesRefreshMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await gauges.RefreshAsync(context.RequestAborted);
        }
        catch (Exception ex) when (!context.RequestAborted.IsCancellationRequested)
        {
            // The counters are still worth serving without the gauges.
            HubLog.GaugeSampleFailed(logger, ex);
        }
        await next(context);
    }
}
