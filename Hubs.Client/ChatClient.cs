using Hubs.Contracts;
using Microsoft.AspNetCore.SignalR.Client;

namespace Hubs.Client;

/// <summary>Typed client of the chat hub (<see cref="HubRoutes.Chat"/>).</summary>
/// <remarks>Every call maps to one <see cref="IChatHub"/> method; events arrive through <see cref="Subscribe"/>.</remarks>
public sealed partial class ChatClient : IAsyncDisposable
{
    private readonly HubConnection _connection;

    /// <summary>Creates a client; call <see cref="StartAsync"/> to connect.</summary>
    public ChatClient(HubClientOptions options)
    {
        _connection = HubConnectionFactory.Create(options, HubRoutes.Chat);
    }

    /// <summary>The server's id for this connection, once connected.</summary>
    public string? ConnectionId => _connection.ConnectionId;

    /// <summary>The underlying connection state.</summary>
    public HubConnectionState State => _connection.State;

    /// <summary>Connects to the server.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default) => _connection.StartAsync(cancellationToken);

    /// <summary>Disconnects from the server.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) => _connection.StopAsync(cancellationToken);

    /// <summary>Raised when the connection closes for good, with the error if it failed.</summary>
    public event Func<Exception?, Task>? Closed
    {
        add => _connection.Closed += value;
        remove => _connection.Closed -= value;
    }

    /// <summary>Delivers server events to <paramref name="handler"/> until the returned subscription is disposed.</summary>
    public IDisposable Subscribe(IChatClient handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        IDisposable[] registrations =
        [
            _connection.On<WelcomeMessage>(nameof(IChatClient.Welcome), handler.Welcome),
            _connection.On<UserEvent>(nameof(IChatClient.UserConnected), handler.UserConnected),
            _connection.On<UserEvent>(nameof(IChatClient.UserDisconnected), handler.UserDisconnected),
            _connection.On<ChatMessage>(nameof(IChatClient.ReceiveMessage), handler.ReceiveMessage),
            _connection.On<ChatMessage>(nameof(IChatClient.ReceiveRoomMessage), handler.ReceiveRoomMessage),
            _connection.On<ChatMessage>(nameof(IChatClient.ReceiveDirectMessage), handler.ReceiveDirectMessage),
            _connection.On<RoomEvent>(nameof(IChatClient.UserJoined), handler.UserJoined),
            _connection.On<RoomEvent>(nameof(IChatClient.UserLeft), handler.UserLeft),
        ];
        return new Subscription(registrations);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    private sealed class Subscription(IDisposable[] registrations) : IDisposable
    {
        public void Dispose()
        {
            foreach (var registration in registrations)
            {
                registration.Dispose();
            }
        }
    }
}
