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
            // Like a refusal: final for a first connect, but a reconnect tries again, as a server still busy
            // with clients that moved over from a failed instance may welcome it a little later.
            return Acceptance.Refused(new HubConnectionLostException(
                $"The server did not accept the connection to {_hubPath} within {timeout.TotalSeconds:0.###} s.", ex));
        }
        ForgetConnection(connection);
        // After a Disconnecting notice the server closed us on purpose (an administrator): not to be undone.
        if (TakeServerCloseReason() is { } noticed)
        {
            return Acceptance.Final(ServerClosed(noticed, error));
        }
        // Closed with an error but no notice: refused for now (a connection limit, which may still count the
        // connection this one replaces until the server notices it is gone).
        if (HubErrors.ServerCloseReason(error) is { } reason)
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
    /// <param name="Outcome">Accepted, or why not.</param>
    /// <param name="Error">Why it was not accepted.</param>
    private sealed record Acceptance(AcceptanceOutcome Outcome, Exception? Error)
    {
        public static readonly Acceptance Accepted = new(AcceptanceOutcome.Accepted, null);

        public static Acceptance Refused(Exception error) => new(AcceptanceOutcome.Refused, error);

        public static Acceptance Final(Exception error) => new(AcceptanceOutcome.Final, error);

        public static Acceptance Lost(Exception error) => new(AcceptanceOutcome.Lost, error);
    }

    private enum AcceptanceOutcome
    {
        /// <summary>The server accepted the connection.</summary>
        Accepted,

        /// <summary>Lost on the way (the network, a restarting server): a failed attempt.</summary>
        Lost,

        /// <summary>
        /// The server closed it with an error and no notice (e.g. a connection limit), or did not accept it in time:
        /// final for a first connect, a failed attempt for a reconnect.
        /// </summary>
        Refused,

        /// <summary>Closed after the server's Disconnecting notice: never retried.</summary>
        Final,
    }
}
