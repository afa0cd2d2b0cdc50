namespace Hubs.Client;

internal sealed partial class ResilientHubConnection
{
    /// <summary>Connects, serves the connection until it is lost, reconnects; ends when stopped or when it gives up.</summary>
    private async Task SuperviseAsync(TaskCompletionSource started, CancellationToken stopping)
    {
        Exception? error = null;
        var everConnected = false;
        try
        {
            while (true)
            {
                long connection;
                for (var attempt = everConnected ? 1 : 0; ; attempt++)
                {
                    if (attempt > 0 && !await WaitBeforeRetryAsync(attempt, error, stopping))
                    {
                        GiveUp(attempt - 1, error);
                        started.TrySetException(error ?? new HubConnectionLostException("Could not connect."));
                        return;
                    }
                    var accepted = ExpectAcceptance();
                    try
                    {
                        await _connection.StartAsync(stopping);
                        lock (_gate)
                        {
                            connection = ++_starts;
                        }
                    }
                    catch (Exception ex) when (!stopping.IsCancellationRequested)
                    {
                        error = ex;
                        continue;
                    }
                    var acceptance = await AwaitAcceptanceAsync(connection, accepted, stopping);
                    if (acceptance.Outcome == AcceptanceOutcome.Accepted)
                    {
                        break;
                    }
                    error = acceptance.Error;
                    // A refused first connect (e.g. a second session over a per-user limit) is the caller's to
                    // handle. A refused reconnect is retried with the policy's back-off: the limit may still count
                    // the connection just lost, until the server notices it is gone (up to its client timeout).
                    // After the server's Disconnecting notice, or without an answer in time, it gives up either way.
                    if (acceptance.Outcome == AcceptanceOutcome.Final
                        || (acceptance.Outcome == AcceptanceOutcome.Refused && !everConnected))
                    {
                        GiveUp(attempt, error);
                        started.TrySetException(error!);
                        return;
                    }
                }
                (error, var closedByServer) = await ServeAsync(connection, everConnected, started, stopping);
                everConnected = true;
                if (closedByServer)
                {
                    // The server closed us on purpose (an administrator): coming straight back would defeat it.
                    GiveUp(0, error);
                    return;
                }
            }
        }
        catch (Exception) when (stopping.IsCancellationRequested)
        {
            started.TrySetCanceled(stopping);
        }
    }

    /// <summary>Announces the connection, restores state, opens the gate, and returns why the connection ended.</summary>
    private async Task<(Exception? Error, bool ClosedByServer)> ServeAsync(long connection, bool isReconnect, TaskCompletionSource started, CancellationToken stopping)
    {
        var connectionId = _connection.ConnectionId ?? "";
        TaskCompletionSource<Exception?> closed;
        lock (_gate)
        {
            closed = CloseSignalLocked(connection);
            _state = ClientConnectionState.Connected;
        }
        var epoch = new Epoch(connection, closed.Task);
        ClientLog.Connected(_logger, _hubPath, connectionId);
        Raise(isReconnect ? new ReconnectedEvent(connectionId) : new ConnectedEvent(connectionId));

        Exception? restoreError = null;
        try
        {
            await _restore(stopping);
            lock (_gate)
            {
                if (!closed.Task.IsCompleted)
                {
                    _ready.TrySetResult(epoch);
                }
            }
        }
        catch (Exception ex) when (!stopping.IsCancellationRequested)
        {
            // Serving without the restored state would be wrong (e.g. sends to rooms not re-joined): start over.
            ClientLog.RestoreFailed(_logger, _hubPath, ex);
            restoreError = ex;
            await _connection.StopAsync(CancellationToken.None);
        }
        started.TrySetResult();

        var error = await closed.Task.WaitAsync(stopping) ?? restoreError;
        // After the server's closing notice it is the client that closes, without an error; the server's reason
        // is why the connection ended, so Disconnected must not read like a stop by the user.
        var serverReason = TakeServerCloseReason();
        if (serverReason is not null)
        {
            error = ServerClosed(serverReason, error);
        }
        // SignalR reports a connection the server ended without an error (aborted it, or refused to resume it after a
        // cut) with no exception at all; null would read as a stop by the user.
        error ??= new HubConnectionLostException($"The server closed the connection to {_hubPath} without giving a reason.");
        lock (_gate)
        {
            _closeSignals.Remove(connection);
            _state = ClientConnectionState.Reconnecting;
        }
        ClientLog.ConnectionLost(_logger, _hubPath, error);
        Raise(new DisconnectedEvent(error));
        return (error, serverReason is not null);
    }

    /// <summary>Announces and waits out the delay before retry <paramref name="attempt"/>; false when the policy gives up.</summary>
    private async Task<bool> WaitBeforeRetryAsync(int attempt, Exception? error, CancellationToken stopping)
    {
        var delay = HubErrors.IsFatalConnectError(error) ? null : _policy.GetDelay(attempt);
        if (delay is not { } wait)
        {
            return false;
        }
        ClientLog.Retrying(_logger, _hubPath, attempt, (long)wait.TotalMilliseconds, error);
        Raise(new ReconnectingEvent(attempt, wait, error));
        await Task.Delay(wait, _time, stopping);
        return true;
    }

    private void GiveUp(int attempts, Exception? error)
    {
        ClientLog.GaveUp(_logger, _hubPath, attempts, error);
        lock (_gate)
        {
            _state = ClientConnectionState.Disconnected;
            FailReadyLocked(new HubConnectionLostException(
                $"The connection to {_hubPath} was lost and the client gave up after {attempts} retries; the call was not sent or not confirmed. Last error: {error?.Message}",
                error));
        }
        Raise(new GaveUpEvent(attempts, error));
    }
}
