using MessagePack;

namespace Hubs.Contracts;

/// <summary>A notification pushed by the server.</summary>
/// <param name="Id">Unique, increasing id (below 2^53).</param>
/// <param name="Topic">The topic it was published to, or <c>null</c> when it went to everyone.</param>
/// <param name="Title">Short headline, 1..200 characters.</param>
/// <param name="Body">Text, possibly empty.</param>
/// <param name="Timestamp">When the server published it (UTC).</param>
[MessagePackObject]
public sealed record Notification(
    [property: Key("id")] long Id,
    [property: Key("topic")] string? Topic,
    [property: Key("title")] string Title,
    [property: Key("body")] string Body,
    [property: Key("timestamp")] DateTime Timestamp);

/// <summary>Start receiving a topic's notifications on this connection.</summary>
/// <param name="Topic">Topic name; same rule as room names, <c>^[A-Za-z0-9_.-]{1,64}$</c>.</param>
[MessagePackObject]
public sealed record SubscribeRequest([property: Key("topic")] string Topic);

/// <summary>Stop receiving a topic's notifications on this connection.</summary>
[MessagePackObject]
public sealed record UnsubscribeRequest([property: Key("topic")] string Topic);

/// <summary>Open the live server statistics stream (admin role).</summary>
/// <param name="IntervalMilliseconds">Time between samples, 100..60000; <c>null</c> for the server's default (1 s).</param>
[MessagePackObject]
public sealed record StreamStatsRequest([property: Key("intervalMilliseconds")] int? IntervalMilliseconds = null);

/// <summary>One sample of the live server statistics.</summary>
/// <param name="Timestamp">When the sample was taken (UTC).</param>
/// <param name="Connections">Open chat connections (all instances sharing the presence store).</param>
/// <param name="OnlineUsers">Users with at least one chat connection.</param>
/// <param name="Rooms">Rooms with at least one member.</param>
/// <param name="MessagesPerSecond">Chat messages accepted by this instance during the last full second.</param>
/// <param name="MessagesTotal">Chat messages accepted by this instance since it started.</param>
/// <param name="StatsStreams">Statistics streams open on this instance, this one included.</param>
[MessagePackObject]
public sealed record ServerStats(
    [property: Key("timestamp")] DateTime Timestamp,
    [property: Key("connections")] int Connections,
    [property: Key("onlineUsers")] int OnlineUsers,
    [property: Key("rooms")] int Rooms,
    [property: Key("messagesPerSecond")] double MessagesPerSecond,
    [property: Key("messagesTotal")] long MessagesTotal,
    [property: Key("statsStreams")] int StatsStreams);

/// <summary>Sent to a connection right before the server closes it on purpose (e.g. an administrator disconnected the user).</summary>
/// <param name="Reason">Why, in words meant for the user.</param>
/// <param name="Timestamp">When (UTC).</param>
[MessagePackObject]
public sealed record DisconnectNotice(
    [property: Key("reason")] string Reason,
    [property: Key("timestamp")] DateTime Timestamp);
