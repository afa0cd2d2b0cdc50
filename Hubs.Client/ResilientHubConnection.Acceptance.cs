namespace Hubs.Client;

internal sealed partial class ResilientHubConnection
{
    // Null for a hub that does not say when it has accepted a connection (the notification hub): open is enough.
    private readonly TimeSpan? _acceptTimeout;

    // Completed by the owner (Accept) for the newest connect; replaced before each connect.
    private TaskCompletionSource _accepted = Settled();

    /// <summary>
    /// The server accepted the current connection (the chat hub's <c>Welcome</c>): it counts it as online, past its
    /// connection limits. Until then a connect or reconnect is not complete; call it from the receive loop.
    /// </summary>
    public void Accept()
    {
        lock (_gate)
        {
            _accepted.TrySetResult();
        }
    }

    /// <summary>
    /// A new acceptance to wait for. Taken before the connect: the receive loop starts within
    /// <c>HubConnection.StartAsync</c>, so the server's word can be handled before that returns.
    /// </summary>
    private Task ExpectAcceptance()
    {
        lock (_gate)
        {
            _accepted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _accepted.Task;
        }
    }

    /// <summary>
    /// Waits until the server accepts the open connection <paramref name="connection"/>, or closes it first, or
    /// <see cref="HubClientOptions.AcceptTimeout"/> passes (then closes it).
    /// </summary>
    private async Task<Acceptance> AwaitAcceptanceAsync(long connection, Task accepted, CancellationToken stopping)
    {
        if (_acceptTimeout is not { } timeout)
        {
            return Acceptance.Accepted;
        }
        Task<Exception?> closed;
        lock (_gate)
        {
            closed = CloseSignalLocked(connection).Task;
        }
        Exception? error;
        try
        {
            if (await Task.WhenAny(accepted, closed).WaitAsync(timeout, _time, stopping) == accepted)
            {
                return Acceptance.Accepted;
            }
            error = await closed;
        }
        catch (TimeoutException ex)
        {
            await _connection.StopAsync(CancellationToken.None);
            await closed.WaitAsync(stopping);
            ForgetConnection(connection);
            TakeServerCloseReason();
            return Acceptance.Refused(new HubConnectionLostException(
                $"The server did not accept the connection to {_hubPath} within {timeout.TotalSeconds:0.###} s.", ex));
        }
        ForgetConnection(connection);
        // Closed with a reason (a connection limit's error, or a Disconnecting notice): refused on purpose.
        if ((TakeServerCloseReason() ?? HubErrors.ServerCloseReason(error)) is { } reason)
        {
            return Acceptance.Refused(ServerClosed(reason, error));
        }
        // Lost on the way (the network, a restarting server): a failed attempt like any other.
        ClientLog.ConnectionLost(_logger, _hubPath, error);
        return Acceptance.Lost(error ?? new HubConnectionLostException($"The connection to {_hubPath} closed before the server accepted it."));
    }

    private void ForgetConnection(long connection)
    {
        lock (_gate)
        {
            _closeSignals.Remove(connection);
        }
    }

    /// <summary>How waiting for the server to accept a connection ended.</summary>
    /// <param name="IsAccepted">The server accepted it.</param>
    /// <param name="IsRefused">The server refused it, or did not accept it in time: trying again would end the same way.</param>
    /// <param name="Error">Why it was not accepted.</param>
    private sealed record Acceptance(bool IsAccepted, bool IsRefused, Exception? Error)
    {
        public static readonly Acceptance Accepted = new(true, false, null);

        public static Acceptance Refused(Exception error) => new(false, true, error);

        public static Acceptance Lost(Exception error) => new(false, false, error);
    }
}
