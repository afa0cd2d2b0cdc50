namespace Hubs.Client;

/// <summary>A room was re-joined after a reconnect; its missed messages were delivered before this event.</summary>
/// <param name="Room">The room.</param>
/// <param name="MissedMessages">Messages sent while disconnected that were delivered now.</param>
/// <param name="HistoryTruncated">
/// <c>true</c> when more was missed than the room's history keeps: some messages are lost for this client.
/// </param>
public sealed record RoomRejoinedEvent(string Room, int MissedMessages, bool HistoryTruncated);

/// <summary>A room could not be re-joined after a reconnect.</summary>
/// <param name="Room">The room, no longer joined.</param>
/// <param name="Error">The server's refusal.</param>
public sealed record RoomRejoinFailedEvent(string Room, Exception Error);
