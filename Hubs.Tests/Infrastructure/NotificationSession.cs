using Hubs.Client;
using Hubs.Contracts;

namespace Hubs.Tests.Infrastructure;

/// <summary>A connected notification client plus everything it has received.</summary>
public sealed class NotificationSession : HubSession<NotificationClient>
{
    public NotificationSession(string userName, NotificationClient client)
        : base(userName, client)
    {
        client.Subscribe(Events);
        client.Closed += OnClosed;
    }

    public NotificationEvents Events { get; } = new();

    /// <summary>Subscribes and checks the server accepted it.</summary>
    public Task FollowAsync(string topic) => Client.FollowAsync(topic);

    /// <summary>
    /// The notifications received before the one with <paramref name="markerId"/>. Delivery to one connection keeps
    /// order, so a marker published last proves what did not arrive.
    /// </summary>
    public async Task<IReadOnlyList<Notification>> ReceivedBeforeAsync(long markerId)
    {
        var before = new List<Notification>();
        while (true)
        {
            var next = await Events.Notifications.NextAsync();
            if (next.Id == markerId)
            {
                return before;
            }
            before.Add(next);
        }
    }
}
