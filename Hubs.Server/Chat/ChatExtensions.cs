using Hubs.Contracts;
using Hubs.Server.Limits;
using Hubs.Server.Rooms;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Hubs.Server.Chat;

public static class ChatExtensions
{
    public static IHostApplicationBuilder AddChat(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ChatOptions>().BindConfiguration(ChatOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<RoomOptions>().BindConfiguration(RoomOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<HubLimitsOptions>().BindConfiguration(HubLimitsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<ChatInput>();

        builder.Services.AddSignalR().AddMessagePackProtocol();
        builder.Services.AddOptions<HubOptions>().Configure<IOptions<HubLimitsOptions>>((hub, limits) =>
        {
            hub.MaximumReceiveMessageSize = limits.Value.MaximumReceiveMessageSize;
            hub.KeepAliveInterval = limits.Value.KeepAliveInterval;
            hub.ClientTimeoutInterval = limits.Value.ClientTimeoutInterval;
        });
        return builder;
    }

    /// <summary>Maps the chat hub; authentication and limits apply here, once, for every hub method.</summary>
    public static IEndpointRouteBuilder MapChat(this IEndpointRouteBuilder app)
    {
        app.MapHub<ChatHub>(HubRoutes.Chat, options => options.AllowStatefulReconnects = true)
            .RequireAuthorization();
        return app;
    }
}
