namespace Hubs.Client;

internal sealed partial class ResilientHubConnection
{
    private string? _serverCloseReason;
    private int _callsInFlight;
    private TaskCompletionSource _noCallsInFlight = Settled();

    /// <summary>
    /// The server announced it is closing this connection on purpose (<c>Disconnecting</c>); when the connection
    /// then ends, the client stays disconnected instead of reconnecting.
    /// </summary>
    public void ExpectServerClose(string reason) => Volatile.Write(ref _serverCloseReason, reason);

    private string? TakeServerCloseReason() => Interlocked.Exchange(ref _serverCloseReason, null);

    /// <summary>
    /// Completes once no call awaits its answer (or after <paramref name="timeout"/>). The server answers the call
    /// that triggered its closing notice right after the notice; closing before that answer is read would turn the
    /// server's reason into a lost connection for that call.
    /// </summary>
    public async Task CallsAnsweredAsync(TimeSpan timeout)
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
