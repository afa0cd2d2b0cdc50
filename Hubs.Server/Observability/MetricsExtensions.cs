using System.Diagnostics.Metrics;
using Hubs.Server.Auth;
using Hubs.Server.Stats;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Hubs.Server.Observability;

/// <summary>The Prometheus scrape endpoint: ASP.NET Core's built-in meters plus the server's own, via OpenTelemetry.</summary>
internal static class MetricsExtensions
{
    /// <summary>Meters exported: ours, then ASP.NET Core's (requests, Kestrel sockets, SignalR connections), then the runtime's.</summary>
    public static readonly string[] Meters =
    [
        HubMetrics.MeterName,
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.Http.Connections",
        RuntimeMeter,
    ];

    private const string RuntimeMeter = "System.Runtime";

    /// <summary>The <c>service_name</c> of <c>target_info</c>.</summary>
    private const string ServiceName = "realtimehubs";

    public static IHostApplicationBuilder AddPrometheusMetrics(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<IPostConfigureOptions<JwtBearerOptions>, UnauthenticatedHubMetrics>();
        builder.Services.AddHostedService<MetricsPortCheck>();
        var options = builder.Configuration.GetSection(MetricsOptions.Section).Get<MetricsOptions>() ?? new MetricsOptions();
        if (!options.Enabled)
        {
            return builder;
        }
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithMetrics(metrics => ((IDeferredMeterProviderBuilder)metrics.AddMeter(Meters))
            // The view needs the host's services; the deferred builder is OpenTelemetry's hook for that.
            .Configure((services, provider) => provider.AddView(OnlyThisHost(services.GetRequiredService<IMeterFactory>())))
            .AddPrometheusExporter(exporter =>
            {
                exporter.ScrapeEndpointPath = options.Path;
                // Scrapes come every few seconds at most; a cached answer would only hide the latest counts.
                exporter.ScrapeResponseCacheDurationMilliseconds = 0;
            }));
        return builder;
    }

    public static IEndpointRouteBuilder MapPrometheusMetrics(this IEndpointRouteBuilder app)
    {
        var options = app.ServiceProvider.GetRequiredService<IOptions<MetricsOptions>>().Value;
        if (!options.Enabled)
        {
            return app;
        }
        var endpoint = app.MapPrometheusScrapingEndpoint(options.Path, meterProvider: null,
                configureBranchedPipeline: branch =>
                {
                    if (options.Port is { } port)
                    {
                        branch.Use((context, next) => OnlyOnPort(context, next, port));
                    }
                    branch.UseMiddleware<StateGaugesRefreshMiddleware>();
                },
                optionsName: null)
            .DisableHttpMetrics();
        if (options.RequireAdminRole)
        {
            endpoint.RequireAuthorization(HubClaims.AdminRole);
        }
        else
        {
            endpoint.AllowAnonymous();
        }
        return app;
    }

    private static Task OnlyOnPort(HttpContext context, RequestDelegate next, int port)
    {
        if (context.Connection.LocalPort == port)
        {
            return next(context);
        }
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }

    /// <summary>
    /// Meters are matched by name process-wide; ASP.NET Core and <see cref="HubMetrics"/> create theirs through the
    /// host's <see cref="IMeterFactory"/>. Keeping only those (and the process-wide runtime meter) means a host reports
    /// its own traffic even when several hosts share a process, as the in-memory test servers do.
    /// </summary>
    private static Func<Instrument, MetricStreamConfiguration?> OnlyThisHost(IMeterFactory hostMeters) =>
        instrument => ReferenceEquals(instrument.Meter.Scope, hostMeters) || instrument.Meter.Name == RuntimeMeter
            ? null
            : MetricStreamConfiguration.Drop;
}
