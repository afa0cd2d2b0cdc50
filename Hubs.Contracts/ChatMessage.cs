using MessagePack;

namespace Hubs.Contracts;

/// <summary>A delivered chat message: global, room or direct.</summary>
/// <param name="Id">Unique id; within a room ids increase, so the last one seen can ask for what came after.</param>
/// <param name="Room">The room, or <c>null</c> for global and direct messages.</param>
/// <param name="Sender">Who sent it.</param>
/// <param name="Text">The text, trimmed.</param>
/// <param name="Timestamp">When the server accepted it (UTC).</param>
/// <param name="RecipientId">
/// For a direct message, the user it was sent to (the sender's own connections get a copy too, and need it to
/// tell their conversations apart); <c>null</c> for global and room messages.
/// </param>
[MessagePackObject]
public sealed record ChatMessage(
    [property: Key("id")] long Id,
    [property: Key("room")] string? Room,
    [property: Key("sender")] UserInfo Sender,
    [property: Key("text")] string Text,
    [property: Key("timestamp")] DateTime Timestamp,
    [property: Key("recipientId")] string? RecipientId = null);
