using Hubs.Contracts;

namespace Hubs.Client;

public sealed partial class NotificationClient
{
    /// <summary>
    /// Live server statistics (needs the admin role): a sample right away, then one per interval. Leave the
    /// <c>await foreach</c> or cancel <paramref name="cancellationToken"/> and the server stops the stream.
    /// </summary>
    /// <remarks>
    /// The stream opens once the client is connected (waiting while it reconnects). It is not resumed after a lost
    /// connection: the enumeration then fails and a new stream can be opened.
    /// </remarks>
    /// <exception cref="Microsoft.AspNetCore.SignalR.HubException">Without the admin role, when enumerated.</exception>
    public IAsyncEnumerable<ServerStats> StreamStatsAsync(StreamStatsRequest? request = null, CancellationToken cancellationToken = default) =>
        Hub.StreamAsync<ServerStats>(nameof(INotificationHub.StreamStats), request ?? new StreamStatsRequest(), cancellationToken);
}
