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
        builder.Services.AddSingleton<UserChangeGate>();

        builder.Services.AddSignalR().AddMessagePackProtocol();
        return builder;
    }

    public static IEndpointRouteBuilder MapChat(this IEndpointRouteBuilder app)
    {
        app.MapSecuredHub<ChatHub>(HubRoutes.Chat);
        return app;
    }
}
