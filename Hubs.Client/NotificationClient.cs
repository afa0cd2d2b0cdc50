using Hubs.Contracts;
using Microsoft.AspNetCore.SignalR.Client;

namespace Hubs.Client;

/// <summary>Typed client of the notification hub (<see cref="HubRoutes.Notifications"/>).</summary>
/// <remarks>Every call maps to one <see cref="INotificationHub"/> method; notifications arrive through <see cref="Subscribe"/>.</remarks>
public sealed partial class NotificationClient : IAsyncDisposable
{
    private readonly HubConnection _connection;

    /// <summary>Creates a client; call <see cref="StartAsync"/> to connect.</summary>
    public NotificationClient(HubClientOptions options)
    {
        _connection = HubConnectionFactory.Create(options, HubRoutes.Notifications);
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
    /// <remarks>When the server closes it on purpose, <see cref="INotificationClient.Disconnecting"/> arrives first with the reason.</remarks>
    public event Func<Exception?, Task>? Closed
    {
        add => _connection.Closed += value;
        remove => _connection.Closed -= value;
    }

    /// <summary>Delivers server events to <paramref name="handler"/> until the returned subscription is disposed.</summary>
    /// <remarks>Which topics arrive is decided by <see cref="SubscribeAsync"/>; this only picks who handles them.</remarks>
    public IDisposable Subscribe(INotificationClient handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        IDisposable[] registrations =
        [
            _connection.On<Notification>(nameof(INotificationClient.ReceiveNotification), handler.ReceiveNotification),
            _connection.On<DisconnectNotice>(nameof(INotificationClient.Disconnecting), handler.Disconnecting),
        ];
        return new Registrations(registrations);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    private sealed class Registrations(IDisposable[] registrations) : IDisposable
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
