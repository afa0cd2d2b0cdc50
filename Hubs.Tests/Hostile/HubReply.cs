namespace Hubs.Tests.Hostile;

/// <summary>One message the server sent on a raw connection, reduced to what the hostile tests check.</summary>
/// <param name="Type">SignalR message type: 1 invocation, 3 completion, 6 ping, 7 close.</param>
/// <param name="InvocationId">The invocation a completion answers.</param>
/// <param name="Target">The client method an invocation calls.</param>
/// <param name="Error">A completion's error, or a close message's error.</param>
/// <param name="Raw">The message as text (JSON) or a short MessagePack dump, for failure messages.</param>
public sealed record HubReply(int Type, string? InvocationId, string? Target, string? Error, string Raw)
{
    public const int Invocation = 1;
    public const int Completion = 3;
    public const int Ping = 6;
    public const int Close = 7;

    public override string ToString() => Raw.Length > 300 ? Raw[..300] + "…" : Raw;
}

/// <summary>How a raw connection ended: a SignalR close message (with its error) and/or the socket closing.</summary>
public sealed record CloseOutcome(string? CloseMessageError, bool SawCloseMessage, string SocketEnd)
{
    public override string ToString() =>
        SawCloseMessage ? $"close message \"{CloseMessageError}\", then {SocketEnd}" : SocketEnd;
}
