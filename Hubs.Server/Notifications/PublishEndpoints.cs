using Hubs.Contracts;
using Hubs.Server.Api;
using Hubs.Server.Chat;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Hubs.Server.Notifications;

/// <summary>Server-side publishing for back-end services (admin role, applied by <see cref="NotificationExtensions.MapNotifications"/>).</summary>
internal static class PublishEndpoints
{
    public static async Task<Results<Accepted<Notification>, ValidationProblem>> PublishNotification(
        PublishNotificationRequest? request, NotificationInput input, NotificationPublisher publisher, CancellationToken cancellationToken)
    {
        if (request is null)
        {
            return RequestErrors.MissingBody("{title, body?, topic?}");
        }
        var errors = new RequestErrors();
        var title = errors.Check("title", () => input.Title(request.Title));
        var body = errors.Check("body", () => input.Body(request.Body));
        // Only an absent topic means everyone; an empty string is a bad topic name.
        var topic = request.Topic is null ? null : errors.Check("topic", () => input.Topic(request.Topic));
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        var notification = await publisher.PublishAsync(topic, title!, body!, cancellationToken);
        return TypedResults.Accepted((string?)null, notification);
    }

    public static async Task<Results<Accepted<ChatMessage>, ValidationProblem>> PostRoomMessage(
        string room, PostRoomMessageRequest? request, ChatInput input, SystemRoomPoster poster, CancellationToken cancellationToken)
    {
        var errors = new RequestErrors();
        var validRoom = errors.Check("room", () => input.Room(room));
        if (request is null)
        {
            errors.Add("request", "A JSON body {text} is required.");
        }
        var text = request is null ? null : errors.Check("text", () => input.Text(request.Text));
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        var message = await poster.PostAsync(validRoom!, text!, cancellationToken);
        return TypedResults.Accepted((string?)null, message);
    }
}
