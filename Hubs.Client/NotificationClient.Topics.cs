using System.Collections.Immutable;
using Hubs.Contracts;

namespace Hubs.Client;

public sealed partial class NotificationClient
{
    /// <summary>Starts receiving a topic's notifications on this connection; <see cref="Ack.Ok"/> is <c>false</c> when already subscribed.</summary>
    /// <remarks>The topic is subscribed to again after every reconnect until <see cref="UnsubscribeAsync"/>.</remarks>
    /// <exception cref="Microsoft.AspNetCore.SignalR.HubException">The server refused (e.g. an invalid topic name, too many topics).</exception>
    /// <exception cref="HubConnectionLostException">The client gave up reconnecting or was stopped before the server answered.</exception>
    public async Task<Ack> SubscribeAsync(SubscribeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var ack = await Hub.InvokeAsync<Ack>(nameof(INotificationHub.Subscribe), request, cancellationToken);
        // Remembered only once the server agreed (Ok is false when it already was): a refused topic is not retried.
        ImmutableInterlocked.Update(ref _topics, topics => topics.Add(request.Topic));
        return ack;
    }

    /// <summary>Stops receiving a topic; <see cref="Ack.Ok"/> is <c>false</c> when this connection was not subscribed.</summary>
    /// <exception cref="Microsoft.AspNetCore.SignalR.HubException">The server refused (e.g. an invalid topic name).</exception>
    /// <exception cref="HubConnectionLostException">The client gave up reconnecting or was stopped before the server answered.</exception>
    public Task<Ack> UnsubscribeAsync(UnsubscribeRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        // Forgotten first, so a reconnect while the call waits does not subscribe to it again.
        if (request.Topic is not null)
        {
            ImmutableInterlocked.Update(ref _topics, topics => topics.Remove(request.Topic));
        }
        return Hub.InvokeAsync<Ack>(nameof(INotificationHub.Unsubscribe), request, cancellationToken);
    }

    /// <summary>
    /// After a (re)connect the server knows none of this connection's topics: subscribe to each again. Runs before
    /// waiting calls are let through, so nothing published after a call made meanwhile returns is missed.
    /// </summary>
    private protected override async Task RestoreAsync(CancellationToken cancellationToken)
    {
        foreach (var topic in Volatile.Read(ref _topics))
        {
            try
            {
                await Hub.InvokeNowAsync<Ack>(nameof(INotificationHub.Subscribe), new SubscribeRequest(topic), cancellationToken);
            }
            catch (Exception ex) when (HubErrors.IsServerRefusal(ex))
            {
                ClientLog.TopicResubscribeFailed(Logger, topic, ex);
                ImmutableInterlocked.Update(ref _topics, topics => topics.Remove(topic));
                var failed = new TopicResubscribeFailedEvent(topic, ex);
                Hub.Events.Post(() => TopicResubscribeFailed?.Invoke(failed));
            }
        }
    }
}
