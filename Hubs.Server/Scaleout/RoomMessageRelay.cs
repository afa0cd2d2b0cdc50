using System.Threading.Channels;
using Hubs.Contracts;
using Hubs.Server.Chat;
using Hubs.Server.Rooms;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Hubs.Server.Scaleout;

/// <summary>
/// Delivers published room messages to this instance's room members, one at a time in publish order, and
/// after the Redis subscription was down reads what it missed from the room histories, so no stored message
/// is lost to pub/sub's at-most-once delivery.
/// </summary>
/// <remarks>
/// Messages of a room are published in id order (the store script runs atomically), so "deliver only ids
/// above the last delivered" drops the repeats between history catch-up and live messages exactly.
/// </remarks>
internal sealed class RoomMessageRelay(
    IConnectionMultiplexer redis,
    RedisKeys keys,
    InstanceIdentity instance,
    IRoomHistoryStore history,
    HubLifetimeManager<ChatHub> lifetimeManager,
    IOptions<RoomOptions> roomOptions,
    TimeProvider time,
    ILogger<RoomMessageRelay> logger) : BackgroundService
{
    /// <summary>Rooms whose last delivery is unknown catch up from this long before the subscription dropped (clock skew).</summary>
    private static readonly TimeSpan UnknownRoomMargin = TimeSpan.FromSeconds(5);

    private readonly ClusterHubLifetimeManager<ChatHub> _hub = (ClusterHubLifetimeManager<ChatHub>)lifetimeManager;
    private readonly Channel<ChatMessage?> _items = Channel.CreateUnbounded<ChatMessage?>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, long> _lastDelivered = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private DateTimeOffset? _subscriptionLostAt;
    private bool _catchUpPending;
    private CancellationToken _stopping;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        redis.ConnectionFailed += OnConnectionFailed;
        redis.ConnectionRestored += OnConnectionRestored;
        try
        {
            var queue = await RedisSubscription.SubscribeAsync(redis, keys.RoomMessages, logger, stoppingToken);
            queue.OnMessage(OnPublished);
            // null is the catch-up signal: it runs in line with the messages, never beside them.
            await foreach (var message in _items.Reader.ReadAllAsync(stoppingToken))
            {
                if (message is null)
                {
                    await CatchUpAsync(stoppingToken);
                }
                else
                {
                    Deliver(message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            redis.ConnectionFailed -= OnConnectionFailed;
            redis.ConnectionRestored -= OnConnectionRestored;
        }
    }

    private void OnPublished(ChannelMessage published)
    {
        try
        {
            var message = RoomBusMessage.Parse((byte[])published.Message!, out var markerFrom);
            if (message is not null)
            {
                _items.Writer.TryWrite(message);
            }
            else if (markerFrom == instance.Id)
            {
                // Our own marker came back: the subscription is live, so history now covers everything before it.
                _items.Writer.TryWrite(null);
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or IOException)
        {
            ScaleoutLog.UnreadableBusMessage(logger, e);
        }
    }

    private void Deliver(ChatMessage message)
    {
        var room = message.Room!;
        if (_lastDelivered.TryGetValue(room, out var last) && message.Id <= last)
        {
            return;
        }
        _lastDelivered[room] = message.Id;
        var delivery = _hub.SendGroupLocalAsync(room, nameof(IChatClient.ReceiveRoomMessage), [message]);
        if (!delivery.IsCompletedSuccessfully)
        {
            delivery.ContinueWith(t => ScaleoutLog.LocalDeliveryFailed(logger, t.Exception!), CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    private async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        DateTimeOffset lostAt;
        lock (_gate)
        {
            if (!_catchUpPending)
            {
                return;
            }
            _catchUpPending = false;
            lostAt = _subscriptionLostAt ?? time.GetUtcNow();
        }
        var unknownSince = (lostAt - UnknownRoomMargin).ToUnixTimeMilliseconds() * 1000;
        var count = 0;
        try
        {
            foreach (var room in _hub.LocalGroups())
            {
                var since = _lastDelivered.TryGetValue(room, out var last) ? last : unknownSince;
                var missed = await history.GetAfterAsync(room, since, roomOptions.Value.HistoryLength, cancellationToken);
                foreach (var message in missed.Messages)
                {
                    Deliver(message);
                    count++;
                }
            }
            lock (_gate)
            {
                _subscriptionLostAt = null;
            }
            // Rooms nobody here is in any more need no position.
            var local = _hub.LocalGroups();
            foreach (var room in _lastDelivered.Keys.Where(room => !local.Contains(room)).ToList())
            {
                _lastDelivered.Remove(room);
            }
            if (count > 0)
            {
                ScaleoutLog.CaughtUp(logger, count);
            }
        }
        catch (RedisException e)
        {
            ScaleoutLog.CatchUpPostponed(logger, e);
            RequestCatchUp();
        }
    }

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription)
        {
            lock (_gate)
            {
                _subscriptionLostAt ??= time.GetUtcNow();
            }
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription)
        {
            RequestCatchUp();
        }
    }

    /// <summary>Sends our marker until it comes back through the subscription (which may re-subscribe after this event).</summary>
    private void RequestCatchUp()
    {
        lock (_gate)
        {
            if (_catchUpPending)
            {
                return;
            }
            _catchUpPending = true;
        }
        _ = Task.Run(async () =>
        {
            while (!_stopping.IsCancellationRequested)
            {
                lock (_gate)
                {
                    if (!_catchUpPending)
                    {
                        return;
                    }
                }
                try
                {
                    await redis.GetSubscriber().PublishAsync(keys.RoomMessages, RoomBusMessage.Marker(instance.Id));
                    await Task.Delay(TimeSpan.FromSeconds(1), _stopping);
                }
                catch (RedisException e)
                {
                    ScaleoutLog.CatchUpPostponed(logger, e);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });
    }
}
