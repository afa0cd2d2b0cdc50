using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.SignalR;

namespace Hubs.Server.Observability;

public static class ObservabilityExtensions
{
    /// <summary>Health checks tagged "ready" gate <c>/health/ready</c>; <c>/health/live</c> only says the process answers.</summary>
    public const string ReadyTag = "ready";

    public static IHostApplicationBuilder AddObservability(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks();
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton<HubLogScopeFilter>();
        builder.Services.AddSingleton<HubInvocationMetricsFilter>();
        builder.Services.AddSingleton<HubErrorLoggingFilter>();
        // Global filters run in the order added, and this runs before the other features add theirs: the scope
        // wraps everything, and calls refused by the limit filters are still counted.
        builder.Services.Configure<HubOptions>(hub =>
        {
            hub.AddFilter<HubLogScopeFilter>();
            hub.AddFilter<HubInvocationMetricsFilter>();
            hub.AddFilter<HubErrorLoggingFilter>();
        });
        builder.AddPrometheusMetrics();
        return builder;
    }

    public static IEndpointRouteBuilder MapObservability(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) }).AllowAnonymous();
        app.MapPrometheusMetrics();
        return app;
    }
}
