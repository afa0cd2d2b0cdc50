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
        builder.Services.AddSingleton<StateGauges>();
        builder.Services.AddSingleton<MessageCountingFilter>();
        // AddHubOptions copies the global hub settings (and filters) first, then adds this one for the chat hub only.
        builder.Services.AddSignalR().AddHubOptions<ChatHub>(hub => hub.AddFilter<MessageCountingFilter>());
        return builder;
    }
}
