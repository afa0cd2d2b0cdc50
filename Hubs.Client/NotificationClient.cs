using System.Collections.Immutable;
using Hubs.Contracts;

namespace Hubs.Client;

/// <summary>Typed client of the notification hub (<see cref="HubRoutes.Notifications"/>) that survives disconnects.</summary>
/// <remarks>
/// <para>Every call maps to one <see cref="INotificationHub"/> method; notifications arrive through
/// <see cref="HubClient{THandler}.Subscribe"/>. Connecting, reconnecting and the state events are those of
/// <see cref="HubClient{THandler}"/>, as for <see cref="ChatClient"/>.</para>
/// <para>Topics are per connection on the server, so after a reconnect the client subscribes to its
/// <see cref="Topics"/> again before calls made meanwhile go through (<see cref="TopicResubscribeFailed"/> when the
/// server refuses one). Notifications published while disconnected are not recovered: the server keeps no history
/// of them. A statistics stream is not resumed either: open a new one after <see cref="HubClient{THandler}.Reconnected"/>.</para>
/// <para>All members are thread-safe. Events and handlers run one at a time, in order, on a background task.</para>
/// </remarks>
public sealed partial class NotificationClient : HubClient<INotificationClient>
{
    private ImmutableHashSet<string> _topics = ImmutableHashSet.Create<string>(StringComparer.Ordinal);

    /// <summary>Creates a client; call <see cref="HubClient{THandler}.StartAsync"/> to connect.</summary>
    /// <exception cref="ArgumentException">The reconnect policy is invalid.</exception>
    public NotificationClient(HubClientOptions options)
        : base(options, HubRoutes.Notifications)
    {
        Handle<Notification>(nameof(INotificationClient.ReceiveNotification),
            notification => Dispatch(handler => handler.ReceiveNotification(notification)));
        HandleDisconnecting(nameof(INotificationClient.Disconnecting), (handler, notice) => handler.Disconnecting(notice));
    }

    /// <summary>Topics this client is subscribed to; they are subscribed to again after every reconnect.</summary>
    public IReadOnlyCollection<string> Topics => Volatile.Read(ref _topics);

    /// <summary>A topic could not be subscribed to again after a reconnect (the server refused); the client no longer follows it.</summary>
    public event Action<TopicResubscribeFailedEvent>? TopicResubscribeFailed;

    private protected override void OnStopped() => ImmutableInterlocked.Update(ref _topics, topics => topics.Clear());
}
