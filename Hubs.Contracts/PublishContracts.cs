using MessagePack;

namespace Hubs.Contracts;

/// <summary>Body of <c>POST</c> <see cref="ApiRoutes.Notifications"/>.</summary>
/// <param name="Title">1..200 characters after trimming.</param>
/// <param name="Body">Up to 4000 characters; <c>null</c> means empty.</param>
/// <param name="Topic">Only subscribers of this topic get it; <c>null</c> sends it to every connected notification client.</param>
[MessagePackObject]
public sealed record PublishNotificationRequest(
    [property: Key("title")] string Title,
    [property: Key("body")] string? Body = null,
    [property: Key("topic")] string? Topic = null);

/// <summary>Body of <c>POST</c> <see cref="ApiRoutes.RoomMessages"/>.</summary>
/// <param name="Text">1..4000 characters after trimming, like a chat message.</param>
[MessagePackObject]
public sealed record PostRoomMessageRequest([property: Key("text")] string Text);

/// <summary>The sender of messages that back-end services post into rooms.</summary>
/// <remarks>The id contains '$', which user names cannot, so no user can pose as the system.</remarks>
public static class SystemSender
{
    /// <summary>The system sender's user id.</summary>
    public const string Id = "$system";

    /// <summary>The system sender's display name.</summary>
    public const string Name = "System";

    /// <summary>The system sender as it appears in <see cref="ChatMessage.Sender"/>.</summary>
    public static UserInfo User { get; } = new(Id, Name);
}
