using System.Collections.Immutable;
using Hubs.Contracts;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hubs.Client;

/// <summary>Typed client of the chat hub (<see cref="HubRoutes.Chat"/>) that survives disconnects.</summary>
/// <remarks>
/// <para>Every call maps to one <see cref="IChatHub"/> method; events arrive through <see cref="Subscribe"/>.
/// The first connect and every reconnect follow <see cref="HubClientOptions.Reconnect"/>; state changes are
/// reported by <see cref="ConnectionChanged"/> and the events named after each state.</para>
/// <para>After a reconnect the client re-joins its rooms from the last message it saw in each and delivers what
/// it missed, once and in order, before live messages (<see cref="RoomRejoined"/> tells how many and whether some
/// were lost). Sends carry a client message id, so one whose answer was lost to a disconnect is sent again and
/// delivered once. Calls made while reconnecting wait for the connection.</para>
/// <para>All members are thread-safe. Events and handlers run one at a time, in order, on a background task.</para>
/// </remarks>
public sealed partial class ChatClient : IAsyncDisposable
{
    /// <summary>How long a server-announced close waits for answers to calls in flight.</summary>
    private static readonly TimeSpan ServerCloseGrace = TimeSpan.FromSeconds(5);

    private readonly ResilientHubConnection _hub;
    private readonly RoomTracker _rooms;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly List<string> _handledClientMethods = [];
    private ImmutableArray<IChatClient> _subscribers = [];
    private UserInfo? _me;

    /// <summary>Creates a client; call <see cref="StartAsync"/> to connect.</summary>
    /// <exception cref="ArgumentException">The reconnect policy is invalid.</exception>
    public ChatClient(HubClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _loggerFactory = options.ConfigureLogging is { } configure ? LoggerFactory.Create(configure) : NullLoggerFactory.Instance;
        _logger = _loggerFactory.CreateLogger<ChatClient>();
        _hub = new ResilientHubConnection(options, HubRoutes.Chat, _loggerFactory, RestoreRoomsAsync);
        _rooms = new RoomTracker(message => Dispatch(handler => handler.ReceiveRoomMessage(message)));
        _hub.StateChanged += OnStateChanged;
        RegisterClientMethods();
    }

    /// <summary>The server's id for the current connection; it changes on every reconnect.</summary>
    public string? ConnectionId => _hub.Connection.ConnectionId;

    /// <summary>Where the client is: disconnected, connecting, connected or reconnecting.</summary>
    public ClientConnectionState ConnectionState => _hub.State;

    /// <summary>The underlying SignalR connection's state (momentary; prefer <see cref="ConnectionState"/>).</summary>
    public HubConnectionState State => _hub.Connection.State;

    /// <summary>Rooms this client is in; they are re-joined after every reconnect.</summary>
    public IReadOnlyList<string> Rooms => _rooms.Rooms;

    /// <summary>Client methods (<see cref="IChatClient"/>) this client listens to.</summary>
    internal IReadOnlyList<string> HandledClientMethods => _handledClientMethods;

    /// <summary>
    /// Connects, retrying per the policy. Completes once connected; throws the last connect error when the policy
    /// gives up (an authentication failure is not retried).
    /// </summary>
    /// <exception cref="InvalidOperationException">The client is already started.</exception>
    public Task StartAsync(CancellationToken cancellationToken = default) => _hub.StartAsync(cancellationToken);

    /// <summary>Disconnects, stops reconnecting and forgets the rooms; calls still waiting fail with <see cref="HubConnectionLostException"/>.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await _hub.StopAsync(cancellationToken);
        _rooms.Clear();
    }

    /// <summary>Delivers server events to <paramref name="handler"/> until the returned subscription is disposed.</summary>
    /// <remarks>Handlers are called one at a time, in the order events arrived; a handler that throws is logged and skipped.</remarks>
    public IDisposable Subscribe(IChatClient handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ImmutableInterlocked.Update(ref _subscribers, list => list.Add(handler));
        return new Subscription(() => ImmutableInterlocked.Update(ref _subscribers, list => list.Remove(handler)));
    }

    /// <summary>Stops the client and waits for queued events to be handled.</summary>
    /// <remarks>Do not await it from an event handler: it waits for the handlers to finish.</remarks>
    public async ValueTask DisposeAsync()
    {
        await _hub.DisposeAsync();
        _loggerFactory.Dispose();
    }

    private void RegisterClientMethods()
    {
        Handle<WelcomeMessage>(nameof(IChatClient.Welcome), message =>
        {
            Volatile.Write(ref _me, message.User);
            Dispatch(handler => handler.Welcome(message));
        });
        Handle<UserEvent>(nameof(IChatClient.UserConnected), change => Dispatch(handler => handler.UserConnected(change)));
        Handle<UserEvent>(nameof(IChatClient.UserDisconnected), change => Dispatch(handler => handler.UserDisconnected(change)));
        Handle<ChatMessage>(nameof(IChatClient.ReceiveMessage), message => Dispatch(handler => handler.ReceiveMessage(message)));
        Handle<ChatMessage>(nameof(IChatClient.ReceiveRoomMessage), _rooms.OnLive);
        Handle<ChatMessage>(nameof(IChatClient.ReceiveDirectMessage), message => Dispatch(handler => handler.ReceiveDirectMessage(message)));
        Handle<RoomEvent>(nameof(IChatClient.UserJoined), change => Dispatch(handler => handler.UserJoined(change)));
        Handle<RoomEvent>(nameof(IChatClient.UserLeft), change =>
        {
            // Told that we left while still in the room: an administrator removed us, so do not re-join it.
            if (change.User.Id == Volatile.Read(ref _me)?.Id)
            {
                _rooms.Leave(change.Room);
            }
            Dispatch(handler => handler.UserLeft(change));
        });
        Handle<DisconnectNotice>(nameof(IChatClient.Disconnecting), notice =>
        {
            _hub.ExpectServerClose(notice.Reason);
            Dispatch(handler => handler.Disconnecting(notice));
            // Closing from our side tells the server the notice arrived; not awaited, as the receive loop runs this,
            // and only once the calls in flight have their answers (the server sends the refusal right after this).
            _ = Task.Run(async () =>
            {
                await _hub.CallsAnsweredAsync(ServerCloseGrace);
                await _hub.Connection.StopAsync();
            });
        });
    }

    private void Handle<T>(string method, Action<T> receive)
    {
        _hub.Connection.On<T>(method, argument =>
        {
            receive(argument);
            return Task.CompletedTask;
        });
        _handledClientMethods.Add(method);
    }

    /// <summary>Queues a call of every subscriber, behind everything received before.</summary>
    private void Dispatch(Func<IChatClient, Task> call) => _hub.Events.Post(async () =>
    {
        foreach (var handler in _subscribers)
        {
            try
            {
                await call(handler);
            }
            catch (Exception ex)
            {
                ClientLog.HandlerFailed(_logger, ex);
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
