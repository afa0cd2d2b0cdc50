namespace Hubs.Client;

internal sealed partial class ResilientHubConnection
{
    private string? _serverCloseReason;

    /// <summary>
    /// The server announced it is closing this connection on purpose (<c>Disconnecting</c>); when the connection
    /// then ends, the client stays disconnected instead of reconnecting.
    /// </summary>
    public void ExpectServerClose(string reason) => Volatile.Write(ref _serverCloseReason, reason);

    private string? TakeServerCloseReason() => Interlocked.Exchange(ref _serverCloseReason, null);
}
