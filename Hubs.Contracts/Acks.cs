using MessagePack;

namespace Hubs.Contracts;

/// <summary>Answer to a send: the id the server gave the message and when it was accepted.</summary>
/// <param name="Id">The message's id.</param>
/// <param name="Timestamp">When the server accepted it (UTC).</param>
/// <param name="LocalOnly">
/// <c>true</c> when the cluster's shared state (Redis) was unreachable and a global or direct message reached only the
/// connections of the server instance that accepted it; users on other instances did not get it and will not.
/// Room messages are never acknowledged this way (they fail with "temporarily unavailable" instead).
/// </param>
[MessagePackObject]
public sealed record MessageAck(
    [property: Key("id")] long Id,
    [property: Key("timestamp")] DateTime Timestamp,
    [property: Key("localOnly")] bool LocalOnly = false);

/// <summary>Answer to a request that only succeeds or does nothing.</summary>
/// <param name="Ok"><c>false</c> when there was nothing to do (e.g. leaving a room one is not in).</param>
[MessagePackObject]
public sealed record Ack([property: Key("ok")] bool Ok);
