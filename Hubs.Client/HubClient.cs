using System.Collections.Immutable;
using Hubs.Contracts;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hubs.Client;

/// <summary>
/// What every typed client (<see cref="ChatClient"/>, <see cref="NotificationClient"/>) shares: a connection that
/// survives disconnects, its state and events, and delivery of server events to subscribed handlers.
/// </summary>
/// <typeparam name="THandler">The hub's client interface (<see cref="IChatClient"/>, <see cref="INotificationClient"/>).</typeparam>
/// <remarks>
/// <para>The first connect and every reconnect follow <see cref="HubClientOptions.Reconnect"/>; state changes are
/// reported by <see cref="ConnectionChanged"/> and the events named after each state. After a reconnect the client
/// restores what the server forgot with the old connection (rooms, topics) before calls go through again.
/// Calls made while reconnecting wait for the connection.</para>
/// <para>When the server announces that it closes the connection on purpose (<c>Disconnecting</c>), the client
/// does not reconnect: <see cref="Disconnected"/> and <see cref="GaveUp"/> carry the server's reason.</para>
/// <para>All members are thread-safe. Events and handlers run one at a time, in order, on a background task.</para>
/// </remarks>
public abstract partial class HubClient<THandler> : IAsyncDisposable
    where THandler : class
{
    private readonly ILoggerFactory _loggerFactory;
    private readonly List<string> _handledClientMethods = [];
    private ImmutableArray<THandler> _subscribers = [];

    // Only the typed clients of this assembly derive from it: the connection machinery is internal.
    // awaitsAcceptance: the hub says when it has accepted a connection, and the derived client calls Hub.Accept then.
    private protected HubClient(HubClientOptions options, string hubPath, bool awaitsAcceptance = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        _loggerFactory = options.ConfigureLogging is { } configure ? LoggerFactory.Create(configure) : NullLoggerFactory.Instance;
        Logger = _loggerFactory.CreateLogger(GetType());
        Hub = new ResilientHubConnection(options, hubPath, _loggerFactory, RestoreAsync, awaitsAcceptance);
        Hub.StateChanged += OnStateChanged;
    }

    /// <summary>The server's id for the current connection; it changes on every reconnect.</summary>
    public string? ConnectionId => Hub.Connection.ConnectionId;

    /// <summary>Where the client is: disconnected, connecting, connected or reconnecting.</summary>
    public ClientConnectionState ConnectionState => Hub.State;

    /// <summary>The underlying SignalR connection's state (momentary; prefer <see cref="ConnectionState"/>).</summary>
    public HubConnectionState State => Hub.Connection.State;

    /// <summary>Client methods of <typeparamref name="THandler"/> this client listens to.</summary>
    internal IReadOnlyList<string> HandledClientMethods => _handledClientMethods;

    private protected ResilientHubConnection Hub { get; }

    private protected ILogger Logger { get; }

    /// <summary>
    /// Connects, retrying per the policy. Completes once connected and, for a <see cref="ChatClient"/>, accepted by
    /// the server (its <c>Welcome</c> has been handled); throws the last connect error when the policy gives up (an
    /// authentication failure is not retried).
    /// </summary>
    /// <exception cref="InvalidOperationException">The client is already started.</exception>
    /// <exception cref="HubConnectionLostException">
    /// The server refused the connection (e.g. over a connection limit; the message carries the server's reason) or
    /// did not accept it within <see cref="HubClientOptions.AcceptTimeout"/>. The client does not retry it:
    /// <see cref="GaveUp"/> is raised and <see cref="Connected"/> is not. (A reconnect the server refuses without its
    /// <c>Disconnecting</c> notice is retried per the policy instead.)
    /// </exception>
    public Task StartAsync(CancellationToken cancellationToken = default) => Hub.StartAsync(cancellationToken);

    /// <summary>
    /// Disconnects, stops reconnecting and forgets what it would restore (rooms, topics); calls still waiting fail
    /// with <see cref="HubConnectionLostException"/>.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await Hub.StopAsync(cancellationToken);
        OnStopped();
    }

    /// <summary>Delivers server events to <paramref name="handler"/> until the returned subscription is disposed.</summary>
    /// <remarks>Handlers are called one at a time, in the order events arrived; a handler that throws is logged and skipped.</remarks>
    public IDisposable Subscribe(THandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ImmutableInterlocked.Update(ref _subscribers, list => list.Add(handler));
        return new Subscription(() => ImmutableInterlocked.Update(ref _subscribers, list => list.Remove(handler)));
    }

    /// <summary>Stops the client and waits for queued events to be handled.</summary>
    /// <remarks>Do not await it from an event handler: it waits for the handlers to finish.</remarks>
    public async ValueTask DisposeAsync()
    {
        await Hub.DisposeAsync();
        _loggerFactory.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Re-creates, on a new connection, the per-connection state the server forgot with the old one. Runs after
    /// every (re)connect, before waiting calls are let through; calls the hub with <c>Hub.InvokeNowAsync</c>.
    /// </summary>
    private protected abstract Task RestoreAsync(CancellationToken cancellationToken);

    /// <summary>The user stopped the client: forget what <see cref="RestoreAsync"/> would restore.</summary>
    private protected virtual void OnStopped()
    {
    }

    /// <summary>Listens to a client method; <paramref name="receive"/> runs on the receive loop, so it must only queue work.</summary>
    private protected void Handle<T>(string method, Action<T> receive)
    {
        Hub.Connection.On<T>(method, argument =>
        {
            receive(argument);
            return Task.CompletedTask;
        });
        _handledClientMethods.Add(method);
    }

    /// <summary>Listens to the server's closing notice: the client obeys it and tells the handlers.</summary>
    private protected void HandleDisconnecting(string method, Func<THandler, DisconnectNotice, Task> notify) =>
        Handle<DisconnectNotice>(method, notice =>
        {
            Hub.CloseOnServerNotice(notice.Reason);
            Dispatch(handler => notify(handler, notice));
        });

    /// <summary>Queues a call of every subscriber, behind everything received before.</summary>
    private protected void Dispatch(Func<THandler, Task> call) => Hub.Events.Post(async () =>
    {
        foreach (var handler in _subscribers)
        {
            try
            {
                await call(handler);
            }
            catch (Exception ex)
            {
                ClientLog.HandlerFailed(Logger, ex);
            }
        }
    });

    private sealed class Subscription(Action unsubscribe) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                unsubscribe();
            }
        }
    }
}
