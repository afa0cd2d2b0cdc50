using Hubs.Server.Chat;
using Microsoft.AspNetCore.SignalR;

namespace Hubs.Server.Stats;

public static class StatsExtensions
{
    /// <summary>Message counters and the statistics feed; the stream itself is a method of the notification hub.</summary>
    public static IHostApplicationBuilder AddStats(this IHostApplicationBuilder builder)
    {
        builder.Services.AddMetrics();
        builder.Services.AddSingleton<HubMetrics>();
        builder.Services.AddSingleton<ServerStatsFeed>();
        builder.Services.AddSingleton<MessageCountingFilter>();
        // PostConfigure: SignalR's own set-up of per-hub options replaces the filter list with the global one.
        builder.Services.AddOptions<HubOptions<ChatHub>>().PostConfigure(hub => hub.AddFilter<MessageCountingFilter>());
        return builder;
    }
}
