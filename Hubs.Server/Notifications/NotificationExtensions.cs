using Hubs.Contracts;
using Hubs.Server.Auth;
using Hubs.Server.Limits;

namespace Hubs.Server.Notifications;

public static class NotificationExtensions
{
    public static IHostApplicationBuilder AddNotifications(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<NotificationOptions>().BindConfiguration(NotificationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<NotificationInput>();
        builder.Services.AddSingleton<NotificationPublisher>();
        builder.Services.AddSingleton<SystemRoomPoster>();
        builder.Services.AddSignalR();
        return builder;
    }

    /// <summary>
    /// Maps the notification hub (any signed-in user; the stats stream checks the admin role itself) and the
    /// publish endpoints, which need the admin role: 401 without a token, 403 without the role.
    /// </summary>
    public static IEndpointRouteBuilder MapNotifications(this IEndpointRouteBuilder app)
    {
        app.MapSecuredHub<NotificationHub>(HubRoutes.Notifications);

        var publish = app.MapGroup("").RequireAuthorization(HubClaims.AdminRole).WithTags("Publish");
        publish.MapPost(ApiRoutes.Notifications, PublishEndpoints.PublishNotification)
            .WithName("PublishNotification")
            .WithSummary("Push a notification to a topic's subscribers, or to everyone when topic is null.");
        publish.MapPost(ApiRoutes.RoomMessages, PublishEndpoints.PostRoomMessage)
            .WithName("PostRoomMessage")
            .WithSummary("Post into a chat room as the system sender; the message joins the room's history.");
        return app;
    }
}
