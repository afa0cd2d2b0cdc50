using System.Net;

namespace Hubs.Tests.Hostile;

/// <summary>
/// What a hostile connection must get, asserted; each returns a one-line description of what happened for
/// the case log.
/// </summary>
public static class Expect
{
    /// <summary>SignalR's close error when a client breaks the protocol (detailed errors are off, as in production).</summary>
    public const string ProtocolError = "Connection closed with an error.";

    /// <summary>SignalR's handshake error for a request it cannot read (it does not echo the input back).</summary>
    public const string HandshakeError = "An unexpected error occurred during connection handshake.";

    /// <summary>The call fails with an error naming the problem, and the connection stays usable.</summary>
    public static async Task<string> CallFails(HostileSocket socket, string invocationId, string errorFragment)
    {
        var reply = await socket.CompletionAsync(invocationId);
        Assert.True(reply.Error is not null, $"Expected an error for {invocationId}, got {reply}");
        Assert.Contains(errorFragment, reply.Error, StringComparison.Ordinal);
        await socket.ProbeAsync();
        return $"call refused: \"{reply.Error}\"; connection still usable";
    }

    /// <summary>The call succeeds (the input was odd but valid), and the connection stays usable.</summary>
    public static async Task<string> CallSucceeds(HostileSocket socket, string invocationId)
    {
        var reply = await socket.CompletionAsync(invocationId);
        Assert.True(reply.Error is null, $"Expected {invocationId} to succeed, got {reply}");
        await socket.ProbeAsync();
        return "accepted as valid; connection still usable";
    }

    /// <summary>The server closes the connection; with <paramref name="closeError"/>, after a close message carrying it.</summary>
    public static async Task<string> Closed(HostileSocket socket, string? closeError = ProtocolError)
    {
        var end = await socket.ClosedAsync();
        if (closeError is not null)
        {
            Assert.True(end.SawCloseMessage, $"Expected a close message \"{closeError}\", got {end}");
            Assert.Contains(closeError, end.CloseMessageError, StringComparison.Ordinal);
        }
        return "closed: " + end;
    }

    /// <summary>The server drops the message without an answer and the connection stays usable.</summary>
    public static async Task<string> Ignored(HostileSocket socket)
    {
        var answers = await socket.ProbeAsync();
        Assert.True(answers.Count == 0, "Expected no answer, got: " + string.Join(", ", answers));
        return "ignored; connection still usable";
    }

    /// <summary>The handshake is refused with an error naming the problem, then the connection closes.</summary>
    public static async Task<string> HandshakeRefused(HostileSocket socket, string response, string errorFragment)
    {
        Assert.Contains("\"error\"", response, StringComparison.Ordinal);
        Assert.Contains(errorFragment, response, StringComparison.Ordinal);
        var end = await socket.ClosedAsync();
        return $"handshake refused: {response}; then {end}";
    }

    public static string Status(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        return $"HTTP {(int)response.StatusCode} {response.StatusCode}";
    }
}
