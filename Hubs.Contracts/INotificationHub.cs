namespace Hubs.Contracts;

/// <summary>Server methods of <see cref="HubRoutes.Notifications"/> (client → server).</summary>
/// <remarks>Invalid input fails the call with a HubException carrying a human-readable message; the connection stays usable.</remarks>
public interface INotificationHub
{
    /// <summary>Receive the topic's notifications on this connection; <see cref="Ack.Ok"/> is <c>false</c> when already subscribed.</summary>
    Task<Ack> Subscribe(SubscribeRequest request);

    /// <summary>Stop receiving the topic; <see cref="Ack.Ok"/> is <c>false</c> when this connection was not subscribed.</summary>
    Task<Ack> Unsubscribe(UnsubscribeRequest request);

    /// <summary>Live server statistics (admin role): a sample now, then one per interval, until the caller stops reading.</summary>
    IAsyncEnumerable<ServerStats> StreamStats(StreamStatsRequest request, CancellationToken cancellationToken);
}
