using System.Runtime.CompilerServices;
using Hubs.Contracts;
using Microsoft.AspNetCore.SignalR.Client;

namespace Hubs.Client;

public sealed partial class NotificationClient
{
    /// <summary>Starts receiving a topic's notifications on this connection; <see cref="Ack.Ok"/> is <c>false</c> when already subscribed.</summary>
    public Task<Ack> SubscribeAsync(SubscribeRequest request, CancellationToken cancellationToken = default) =>
        _connection.InvokeAsync<Ack>(nameof(INotificationHub.Subscribe), request, cancellationToken);

    /// <summary>Stops receiving a topic; <see cref="Ack.Ok"/> is <c>false</c> when this connection was not subscribed.</summary>
    public Task<Ack> UnsubscribeAsync(UnsubscribeRequest request, CancellationToken cancellationToken = default) =>
        _connection.InvokeAsync<Ack>(nameof(INotificationHub.Unsubscribe), request, cancellationToken);

    /// <summary>
    /// Live server statistics (needs the admin role): a sample right away, then one per interval. Leave the
    /// <c>await foreach</c> or cancel <paramref name="cancellationToken"/> and the server stops the stream.
    /// </summary>
    /// <remarks>Without the admin role, enumeration fails with a HubException.</remarks>
    public async IAsyncEnumerable<ServerStats> StreamStatsAsync(StreamStatsRequest? request = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // SignalR's client tells the server to stop only when the stream's token is cancelled, not when the
        // reader walks away; cancelling on the way out covers both.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            await foreach (var sample in _connection.StreamAsync<ServerStats>(
                nameof(INotificationHub.StreamStats), request ?? new StreamStatsRequest(), stop.Token))
            {
                yield return sample;
            }
        }
        finally
        {
            await stop.CancelAsync();
        }
    }
}
