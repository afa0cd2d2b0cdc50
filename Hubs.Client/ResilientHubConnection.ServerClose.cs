namespace Hubs.Client;

internal sealed partial class ResilientHubConnection
{
    /// <summary>How long a server-announced close waits for answers to calls in flight.</summary>
    private static readonly TimeSpan ServerCloseGrace = TimeSpan.FromSeconds(5);

    private string? _serverCloseReason;
    private int _callsInFlight;
    private TaskCompletionSource _noCallsInFlight = Settled();

    /// <summary>
    /// The server announced it is closing this connection on purpose (<c>Disconnecting</c>): close it from this
    /// side once the calls in flight have their answers, and stay disconnected instead of reconnecting.
    /// </summary>
    /// <remarks>
    /// Closing from our side tells the server the notice arrived. Not awaited, as the receive loop runs this, and
    /// only after the answers, as the server sends the refusal of the call that triggered the close right after it.
    /// </remarks>
    public void CloseOnServerNotice(string reason)
    {
        Volatile.Write(ref _serverCloseReason, reason);
        var noticed = Interlocked.Read(ref _starts);
        _ = Task.Run(async () =>
        {
            await CallsAnsweredAsync(ServerCloseGrace);
            // Up to the grace later the user may have started the client again: that connection is not the one told to go.
            if (Interlocked.Read(ref _starts) != noticed)
            {
                return;
            }
            try
            {
                await _connection.StopAsync();
            }
            catch (ObjectDisposedException)
            {
                // Disposed meanwhile: closed anyway.
            }
        });
    }

    private string? TakeServerCloseReason() => Interlocked.Exchange(ref _serverCloseReason, null);

    /// <summary>Why the connection ended when the server closed it on purpose, in the server's words.</summary>
    private static HubConnectionLostException ServerClosed(string reason, Exception? error) =>
        new($"The server closed the connection: {reason}", error);

    /// <summary>
    /// Completes once no call awaits its answer (or after <paramref name="timeout"/>). The server answers the call
    /// that triggered its closing notice right after the notice; closing before that answer is read would turn the
    /// server's reason into a lost connection for that call.
    /// </summary>
    private async Task CallsAnsweredAsync(TimeSpan timeout)
    {
        Task settled;
        lock (_gate)
        {
            settled = _noCallsInFlight.Task;
        }
        await settled.WaitAsync(timeout, _time).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private void CallStarted()
    {
        lock (_gate)
        {
            if (_callsInFlight++ == 0)
            {
                _noCallsInFlight = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
    }

    private void CallEnded()
    {
        lock (_gate)
        {
            if (--_callsInFlight == 0)
            {
                _noCallsInFlight.TrySetResult();
            }
        }
    }

    private static TaskCompletionSource Settled()
    {
        var settled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        settled.SetResult();
        return settled;
    }
}
