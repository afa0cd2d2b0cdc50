using Hubs.Contracts;
using Hubs.Server.Limits;
using Hubs.Server.Rooms;

namespace Hubs.Server.Chat;

public static class ChatExtensions
{
    public static IHostApplicationBuilder AddChat(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ChatOptions>().BindConfiguration(ChatOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<RoomOptions>().BindConfiguration(RoomOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<ChatInput>();

        builder.Services.AddSignalR().AddMessagePackProtocol();
        return builder;
    }

    /// <summary>Maps the chat hub; authentication and limits apply here, once, for every hub method.</summary>
    public static IEndpointRouteBuilder MapChat(this IEndpointRouteBuilder app)
    {
        app.MapHub<ChatHub>(HubRoutes.Chat, options => options.AllowStatefulReconnects = true)
            .RequireAuthorization()
            .RequireCors(LimitsExtensions.CorsPolicy);
        return app;
    }
}
