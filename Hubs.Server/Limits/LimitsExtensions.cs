using Hubs.Contracts;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Hubs.Server.Limits;

public static class LimitsExtensions
{
    public const string CorsPolicy = "hubs";

    private const string NegotiateSuffix = "/negotiate";

    /// <summary>Size, heartbeat, rate, connection and origin limits for every hub, configured once.</summary>
    public static IHostApplicationBuilder AddLimits(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<HubLimitsOptions>().BindConfiguration(HubLimitsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<LimitsOptions>().BindConfiguration(LimitsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<OriginOptions>().BindConfiguration(OriginOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<ConnectionSlots>();
        builder.Services.AddSingleton<ConnectionLimitFilter>();
        builder.Services.AddSingleton<CallRateLimitFilter>();
        builder.Services.AddSingleton<RoomLimitFilter>();
        builder.Services.AddSingleton<CallBudgets>();
        // Replaces SignalR's resolver (registered with TryAdd; the last registration wins either way), so every
        // connection's messages are parsed through the call budget.
        builder.Services.AddSingleton<IHubProtocolResolver, CallBudgetProtocolResolver>();
        builder.Services.AddOptions<HubOptions>().Configure<IOptions<HubLimitsOptions>, IOptions<LimitsOptions>>((hub, limits, abuse) =>
        {
            hub.MaximumParallelInvocationsPerClient = abuse.Value.MaxParallelInvocationsPerClient;
            hub.MaximumReceiveMessageSize = limits.Value.MaximumReceiveMessageSize;
            hub.KeepAliveInterval = limits.Value.KeepAliveInterval;
            hub.ClientTimeoutInterval = limits.Value.ClientTimeoutInterval;
            hub.AddFilter<ConnectionLimitFilter>();
            hub.AddFilter<CallRateLimitFilter>();
            hub.AddFilter<RoomLimitFilter>();
        });
        // Cross-origin browser apps need CORS on negotiate; the same list gates WebSocket upgrades.
        builder.Services.AddCors();
        builder.Services.AddOptions<Microsoft.AspNetCore.Cors.Infrastructure.CorsOptions>().Configure<IOptions<OriginOptions>>((cors, allowed) =>
            cors.AddPolicy(CorsPolicy, policy =>
            {
                var origins = allowed.Value.AllowedOrigins;
                if (origins.Contains("*"))
                {
                    policy.SetIsOriginAllowed(_ => true);
                }
                else
                {
                    policy.WithOrigins(origins);
                }
                policy.AllowAnyHeader().AllowAnyMethod().AllowCredentials();
            }));
        return builder;
    }

    /// <summary>Origin checks for the hubs, and no idle negotiate connections; call before the hubs are mapped.</summary>
    public static IApplicationBuilder UseLimits(this IApplicationBuilder app)
    {
        app.UseCors();
        app.UseWhen(context => context.Request.Path.StartsWithSegments(HubRoutes.Prefix), hubs => hubs.UseMiddleware<OriginCheckMiddleware>());
        if (app.ApplicationServices.GetRequiredService<IOptions<HubLimitsOptions>>().Value.CloseNegotiateConnections)
        {
            app.UseWhen(IsHttp11Negotiate, negotiate => negotiate.Use((context, next) =>
            {
                context.Response.Headers.Connection = "close";
                return next(context);
            }));
        }
        return app;
    }

    private static bool IsHttp11Negotiate(HttpContext context) =>
        HttpProtocol.IsHttp11(context.Request.Protocol)
        && context.Request.Path.StartsWithSegments(HubRoutes.Prefix)
        && context.Request.Path.Value!.EndsWith(NegotiateSuffix, StringComparison.Ordinal);
}
