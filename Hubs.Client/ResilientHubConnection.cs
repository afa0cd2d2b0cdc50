using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Logging;

namespace Hubs.Client;

/// <summary>
/// A <see cref="HubConnection"/> that stays connected: the first connect and every reconnect follow one
/// <see cref="ReconnectPolicy"/>, state changes are reported in order, and calls wait for the connection and are
/// sent again when it was lost under them. Typed clients (chat, notifications) are built on it.
/// </summary>
/// <remarks>
/// SignalR's own automatic reconnect is not used: it does not cover the first start, it stops for good when the
/// server closes a connection without allowing a reconnect (an aborted connection), and it counts attempts per
/// outage in a way the user cannot see. One supervisor loop handles every case the same way. Stateful reconnect
/// stays on: it bridges short transport blips below this layer, keeping the same connection id.
/// After a reconnect the server sees a new connection id, so per-connection state (room membership) is gone:
/// the owner's restore callback re-creates it before calls are let through again.
/// An open SignalR connection is not yet one the hub accepted (a connection limit may still close it); for a hub
/// that says when it has (the chat hub's <c>Welcome</c>), a (re)connect completes only then. A first connect the
/// server closes first is refused for good; a reconnect it closes first is retried, unless it said Disconnecting.
/// </remarks>
internal sealed partial class ResilientHubConnection : IAsyncDisposable
{
    private readonly HubConnection _connection;
    private readonly ReconnectPolicy _policy;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _hubPath;
    private readonly Func<CancellationToken, Task> _restore;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly Lock _gate = new();

    private ClientConnectionState _state;

    // Completes with the current connection once it is usable (connected and restored); calls wait on it.
    private TaskCompletionSource<Epoch> _ready = Failed(new InvalidOperationException("The client is not started: call StartAsync first."));
    private CancellationTokenSource? _stopping;
    private Task _supervisor = Task.CompletedTask;
    private bool _disposed;

    // HubConnection raises Closed once per successful start, on a background task and possibly late (after a quick
    // stop and start). Numbering both tells which connection a Closed belongs to.
    private readonly Dictionary<long, TaskCompletionSource<Exception?>> _closeSignals = [];
    private long _starts;
    private long _closes;

    /// <param name="options">Server, token, protocol, transports, policy and clock.</param>
    /// <param name="hubPath">The hub's route, from <c>HubRoutes</c>.</param>
    /// <param name="loggerFactory">Where the connection logs.</param>
    /// <param name="restore">Runs after every (re)connect, before waiting calls go through; calls the hub with <see cref="InvokeNowAsync"/>.</param>
    /// <param name="awaitsAcceptance">
    /// The hub says when it has accepted a connection (the owner then calls <see cref="Accept"/>): a (re)connect is
    /// complete only then, within <see cref="HubClientOptions.AcceptTimeout"/>.
    /// </param>
    public ResilientHubConnection(HubClientOptions options, string hubPath, ILoggerFactory loggerFactory,
        Func<CancellationToken, Task> restore, bool awaitsAcceptance)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Reconnect.Validate();
        if (awaitsAcceptance)
        {
            options.ValidateAcceptTimeout();
            _acceptTimeout = options.AcceptTimeout;
        }
        _policy = options.Reconnect;
        _time = options.TimeProvider;
        _hubPath = hubPath;
        _restore = restore;
        _logger = loggerFactory.CreateLogger<ResilientHubConnection>();
        Events = new EventPump(_logger);
        _connection = HubConnectionFactory.Create(options, hubPath);
        _connection.Closed += OnClosedAsync;
    }

    /// <summary>Register hub handlers here; they stay across reconnects.</summary>
    public HubConnection Connection => _connection;

    /// <summary>Where user callbacks run, in order.</summary>
    public EventPump Events { get; }

    public ClientConnectionState State
    {
        get
        {
            lock (_gate)
            {
                return _state;
            }
        }
    }

    /// <summary>Raised on <see cref="Events"/>, in order.</summary>
    public event Action<ConnectionEvent>? StateChanged;

    /// <summary>
    /// Connects, retrying per policy; completes once connected, accepted and restored, throws the last error when it
    /// gives up or the server refuses the connection.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            lock (_gate)
            {
                if (_state != ClientConnectionState.Disconnected)
                {
                    throw new InvalidOperationException($"The client is already {_state.ToString().ToLowerInvariant()}; stop it before starting it again.");
                }
                _state = ClientConnectionState.Connecting;
                _ready = new TaskCompletionSource<Epoch>(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            _stopping?.Dispose();
            _stopping = new CancellationTokenSource();
            Raise(new ConnectingEvent());
            var stopping = _stopping.Token;
            _supervisor = Task.Run(() => SuperviseAsync(started, stopping), CancellationToken.None);
        }
        finally
        {
            _lifecycle.Release();
        }

        try
        {
            await started.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await StopAsync(CancellationToken.None);
            throw;
        }
    }

    /// <summary>Disconnects and stops reconnecting; waiting calls fail with <see cref="HubConnectionLostException"/>.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            await StopCoreAsync(cancellationToken);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _lifecycle.WaitAsync();
        try
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            await StopCoreAsync(CancellationToken.None);
        }
        finally
        {
            _lifecycle.Release();
        }
        await Events.DisposeAsync();
        await _connection.DisposeAsync();
        _stopping?.Dispose();
    }

    private async Task StopCoreAsync(CancellationToken cancellationToken)
    {
        if (_stopping is { } stopping)
        {
            await stopping.CancelAsync();
        }
        await _supervisor;
        await _connection.StopAsync(cancellationToken);
        bool wasActive;
        lock (_gate)
        {
            wasActive = _state != ClientConnectionState.Disconnected;
            _state = ClientConnectionState.Disconnected;
            // Nobody waits for these any more; a Closed still to come for this connection adds a completed one.
            foreach (var number in _closeSignals.Where(pair => pair.Value.Task.IsCompleted).Select(pair => pair.Key).ToList())
            {
                _closeSignals.Remove(number);
            }
            FailReadyLocked(new HubConnectionLostException(
                $"The {_hubPath} client was stopped; a call that was waiting for the connection was not sent or not confirmed."));
        }
        if (wasActive)
        {
            Raise(new DisconnectedEvent(null));
        }
    }

    private Task OnClosedAsync(Exception? error)
    {
        TaskCompletionSource<Exception?> signal;
        lock (_gate)
        {
            var number = ++_closes;
            signal = CloseSignalLocked(number);
            // Close the gate before anyone learns of the loss, so a caller that saw its call fail waits for the next connection.
            if (number == _starts && _ready.Task.IsCompletedSuccessfully)
            {
                _ready = new TaskCompletionSource<Epoch>(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
        signal.TrySetResult(error);
        return Task.CompletedTask;
    }

    /// <summary>Completes when connection <paramref name="number"/> (counted in successful starts) has closed.</summary>
    private TaskCompletionSource<Exception?> CloseSignalLocked(long number)
    {
        if (!_closeSignals.TryGetValue(number, out var signal))
        {
            signal = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
            _closeSignals[number] = signal;
        }
        return signal;
    }

    private void FailReadyLocked(Exception error)
    {
        if (!_ready.TrySetException(error))
        {
            _ready = Failed(error);
        }
        _ = _ready.Task.Exception; // observed: nobody may be waiting
    }

    private void Raise(ConnectionEvent change) => Events.Post(() => StateChanged?.Invoke(change));

    private static TaskCompletionSource<Epoch> Failed(Exception error)
    {
        var source = new TaskCompletionSource<Epoch>(TaskCreationOptions.RunContinuationsAsynchronously);
        source.SetException(error);
        _ = source.Task.Exception;
        return source;
    }

    /// <summary>One successful connection; <see cref="Closed"/> completes when it is lost.</summary>
    private sealed record Epoch(long Number, Task<Exception?> Closed);
}
