using MessagePack;

namespace Hubs.Contracts;

/// <summary>Answer to a send: the id the server gave the message and when it was accepted.</summary>
[MessagePackObject]
public sealed record MessageAck(
    [property: Key("id")] long Id,
    [property: Key("timestamp")] DateTime Timestamp);

/// <summary>Answer to a request that only succeeds or does nothing.</summary>
/// <param name="Ok"><c>false</c> when there was nothing to do (e.g. leaving a room one is not in).</param>
[MessagePackObject]
public sealed record Ack([property: Key("ok")] bool Ok);
