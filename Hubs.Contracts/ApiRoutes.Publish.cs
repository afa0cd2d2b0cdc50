namespace Hubs.Contracts;

public static partial class ApiRoutes
{
    /// <summary>Publish a notification (admin): POST a <see cref="PublishNotificationRequest"/>, get 202 and the <see cref="Notification"/>.</summary>
    public const string Notifications = "/api/notifications";

    /// <summary>Post into a chat room as the system sender (admin): POST a <see cref="PostRoomMessageRequest"/>, get 202 and the <see cref="ChatMessage"/>.</summary>
    public const string RoomMessages = "/api/rooms/{room}/messages";

    /// <summary><see cref="RoomMessages"/> for one room.</summary>
    public static string RoomMessagesOf(string room) => Fill(RoomMessages, ("{room}", room));

    /// <summary>Replaces route placeholders with URL-escaped values.</summary>
    private static string Fill(string template, params (string Placeholder, string Value)[] values)
    {
        foreach (var (placeholder, value) in values)
        {
            template = template.Replace(placeholder, Uri.EscapeDataString(value), StringComparison.Ordinal);
        }
        return template;
    }
}
