using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.SignalR;

namespace Hubs.Client;

/// <summary>Tells the failures of a call or connect apart: the server said no, or the connection went away.</summary>
internal static class HubErrors
{
    // The SignalR client reports a close that carried an error as a HubException with this prefix.
    private const string ServerClosedPrefix = "The server closed the connection";

    // What the SignalR client puts before the error of the server's close message.
    private const string ServerClosedPreamble = "The server closed the connection with the following error: ";

    // The server's answer to a repeat of a send it is still delivering (ChatHub.SendOnceAsync).
    private const string StillInProgress = "still in progress";

    // SignalR puts its own preamble before the server's message: "An unexpected error occurred invoking 'X' on the
    // server. HubException: <reason>" (or "... while streaming results. HubException: <reason>").
    private const string ServerMessageMarker = "HubException: ";

    /// <summary>The hub method itself failed (bad input, not a member...): retrying will not help.</summary>
    public static bool IsServerRefusal(Exception error) =>
        error is HubException hub && !IsClosedByServerWithError(hub);

    /// <summary>
    /// The server ended the connection on purpose, with an error (e.g. a message over its size limit). Often the
    /// call in flight caused it, so sending that call again would only repeat it.
    /// </summary>
    public static bool IsClosedByServerWithError(Exception error) =>
        error is HubException hub && hub.Message.StartsWith(ServerClosedPrefix, StringComparison.Ordinal);

    /// <summary>
    /// The server's own reason for a close that carried an error (e.g. "Too many connections: …" from a hub
    /// filter's <c>HubException</c>), without SignalR's preambles; <c>null</c> for any other failure.
    /// </summary>
    public static string? ServerCloseReason(Exception? error)
    {
        if (error is null || !IsClosedByServerWithError(error))
        {
            return null;
        }
        var message = error.Message;
        return ServerWords(message)
            ?? (message.StartsWith(ServerClosedPreamble, StringComparison.Ordinal) ? message[ServerClosedPreamble.Length..] : message);
    }

    /// <summary>A send with the same client message id is being delivered right now; ask again shortly.</summary>
    public static bool IsSendInProgress(Exception error) =>
        IsServerRefusal(error) && error.Message.Contains(StillInProgress, StringComparison.Ordinal);

    /// <summary>The call may not have reached the server, or its answer was lost with the connection: worth sending again.</summary>
    public static bool IsConnectionLoss(Exception error) => error switch
    {
        HubException => false,
        OperationCanceledException => true, // "Invocation canceled due to the server connection being closed."
        InvalidOperationException => true, // "... cannot be called if the connection is not active"
        IOException or WebSocketException or HttpRequestException => true,
        _ => false,
    };

    /// <summary>
    /// A refusal whose message is the server's own words, without SignalR's preamble (the original becomes the inner
    /// exception); <c>null</c> when <paramref name="error"/> carries no preamble and is fine as it is.
    /// </summary>
    /// <remarks>Same rule as the TypeScript client's <c>HubError.fromInvocation</c>: users show this message as is.</remarks>
    public static HubException? WithServerMessage(HubException error) =>
        IsClosedByServerWithError(error) || ServerWords(error.Message) is not { } words ? null : new HubException(words, error);

    /// <summary>What follows SignalR's <see cref="ServerMessageMarker"/>: the server's own words; <c>null</c> without it.</summary>
    private static string? ServerWords(string message)
    {
        var at = message.IndexOf(ServerMessageMarker, StringComparison.Ordinal);
        return at < 0 ? null : message[(at + ServerMessageMarker.Length)..];
    }

    /// <summary>Retrying with the same credentials cannot succeed.</summary>
    public static bool IsFatalConnectError(Exception? error) =>
        error is HttpRequestException { StatusCode: HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden };
}
