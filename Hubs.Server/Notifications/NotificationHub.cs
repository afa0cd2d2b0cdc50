using System.Runtime.CompilerServices;
using Hubs.Contracts;
using Hubs.Server.Auth;
using Hubs.Server.Stats;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Hubs.Server.Notifications;

/// <summary>The <see cref="HubRoutes.Notifications"/> hub: topic subscriptions and the live stats stream.</summary>
/// <remarks>Notifications themselves are published server-side (<see cref="NotificationPublisher"/>), never by clients.</remarks>
[Authorize]
public sealed class NotificationHub(
    NotificationInput input,
    IOptions<NotificationOptions> options,
    ServerStatsFeed stats,
    ILogger<NotificationHub> logger) : Hub<INotificationClient>, INotificationHub
{
    private static readonly object TopicsKey = new();

    private ConnectionTopics Topics => (ConnectionTopics)Context.Items[TopicsKey]!;

    public override Task OnConnectedAsync()
    {
        Context.Items[TopicsKey] = new ConnectionTopics();
        return Task.CompletedTask;
    }

    public async Task<Ack> Subscribe(SubscribeRequest request)
    {
        var topic = input.Topic(request?.Topic);
        var limit = options.Value.MaxTopicsPerConnection;
        switch (Topics.TryAdd(topic, limit))
        {
            case TopicAddResult.AlreadyFollowed:
                return new Ack(false);
            case TopicAddResult.LimitReached:
                throw new HubException($"This connection already follows {limit} topics, the limit; unsubscribe from one first.");
        }
        try
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, TopicGroups.For(topic), Context.ConnectionAborted);
        }
        catch
        {
            Topics.Remove(topic);
            throw;
        }
        NotificationLog.Subscribed(logger, Context.UserIdentifier!, topic);
        return new Ack(true);
    }

    public async Task<Ack> Unsubscribe(UnsubscribeRequest request)
    {
        var topic = input.Topic(request?.Topic);
        if (!Topics.Remove(topic))
        {
            return new Ack(false);
        }
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, TopicGroups.For(topic), Context.ConnectionAborted);
        NotificationLog.Unsubscribed(logger, Context.UserIdentifier!, topic);
        return new Ack(true);
    }

    [Authorize(Policy = HubClaims.AdminRole)]
    public async IAsyncEnumerable<ServerStats> StreamStats(StreamStatsRequest request,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var interval = input.StatsInterval(request?.IntervalMilliseconds);
        // SignalR cancels this token when the client stops reading or the connection closes.
        await foreach (var sample in stats.StreamAsync(Context.ConnectionId, interval, cancellationToken))
        {
            yield return sample;
        }
    }
}
