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
/// A room's messages are published in id order (the store script runs atomically), so normally "deliver only
/// ids above the last delivered" drops repeats exactly. Across a gap in the subscription that no longer holds:
/// messages published after re-subscribing arrive live before the missed ones are read back. So the position
/// of each room is frozen when the gap is noticed, live messages are held (a bounded number) until the
/// catch-up has read what was missed, and then both are delivered together in id order.
/// </remarks>
internal sealed class RoomMessageRelay(
    IConnectionMultiplexer redis,
    RedisKeys keys,
    InstanceIdentity instance,
    IRoomHistoryStore history,
    HubLifetimeManager<ChatHub> lifetimeManager,
    IOptions<RoomOptions> roomOptions,
    TimeProvider time,
    RedisSubscriptions subscriptions,
    ILogger<RoomMessageRelay> logger) : BackgroundService
{
    /// <summary>Rooms with no position catch up from this long before the gap was noticed (allows for clock skew).</summary>
    private static readonly TimeSpan UnknownRoomMargin = TimeSpan.FromSeconds(5);

    /// <summary>Live messages held during a gap; beyond this they are delivered at once, possibly before older missed ones.</summary>
    private const int MaxHeld = 10_000;

    /// <summary>How often the marker is re-sent until it comes back.</summary>
    private static readonly TimeSpan MarkerInterval = TimeSpan.FromMilliseconds(250);

    private readonly ClusterHubLifetimeManager<ChatHub> _hub = (ClusterHubLifetimeManager<ChatHub>)lifetimeManager;
    private readonly Channel<Item> _items = Channel.CreateUnbounded<Item>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _gate = new();
    private bool _catchUpPending;
    private CancellationToken _stopping;

    // Owned by the single reader loop: no locks needed.
    private readonly Dictionary<string, long> _lastDelivered = new(StringComparer.Ordinal);
    private Gap? _gap;

    private enum Signal
    {
        Message,
        SubscriptionLost,
        CatchUp,
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        redis.ConnectionFailed += OnConnectionFailed;
        redis.ConnectionRestored += OnConnectionRestored;
        try
        {
            // A subscription found lost by its probe (the connection never failed) is a gap like any other.
            using var subscription = subscriptions.Watch(keys.RoomMessages, OnPublished,
                onLost: since => _items.Writer.TryWrite(new Item(Signal.SubscriptionLost, At: since)),
                onRestored: RequestCatchUp);
            await foreach (var item in _items.Reader.ReadAllAsync(stoppingToken))
            {
                switch (item.Signal)
                {
                    case Signal.Message:
                        Deliver(item.Message!);
                        break;
                    case Signal.SubscriptionLost:
                        _gap ??= new Gap(new Dictionary<string, long>(_lastDelivered, StringComparer.Ordinal), item.At);
                        break;
                    case Signal.CatchUp:
                        await CatchUpAsync(stoppingToken);
                        break;
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
                _items.Writer.TryWrite(new Item(Signal.Message, message));
            }
            else if (markerFrom == instance.Id)
            {
                // Our own marker came back: the subscription is live, so history now covers everything before it.
                _items.Writer.TryWrite(new Item(Signal.CatchUp));
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
        if (_gap is { } gap)
        {
            if (gap.Held.Count < MaxHeld)
            {
                gap.Held.TryAdd(message.Id, message);
            }
            else if (gap.SentEarly.Add(message.Id))
            {
                _lastDelivered[room] = Math.Max(_lastDelivered.GetValueOrDefault(room), message.Id);
                Send(message);
            }
            return;
        }
        var last = _lastDelivered.GetValueOrDefault(room);
        if (message.Id <= last)
        {
            return;
        }
        _lastDelivered[room] = message.Id;
        Send(message);
    }

    private void Send(ChatMessage message)
    {
        var room = message.Room!;
        var delivery = _hub.SendGroupLocalAsync(room, nameof(IChatClient.ReceiveRoomMessage), [message]);
        if (!delivery.IsCompletedSuccessfully)
        {
            delivery.ContinueWith(t => ScaleoutLog.LocalDeliveryFailed(logger, t.Exception!), CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
        }
    }

    private async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_catchUpPending)
            {
                return;
            }
            _catchUpPending = false;
        }
        var gap = _gap ?? new Gap(new Dictionary<string, long>(_lastDelivered, StringComparer.Ordinal), time.GetUtcNow());
        _gap = gap;
        var unknownFrom = (gap.NoticedAt - UnknownRoomMargin).ToUnixTimeMilliseconds() * 1000;
        var missed = new List<ChatMessage>();
        try
        {
            foreach (var room in _hub.LocalGroups())
            {
                var from = gap.Positions.TryGetValue(room, out var position) ? position : unknownFrom;
                var slice = await history.GetAfterAsync(room, from, roomOptions.Value.HistoryLength, cancellationToken);
                missed.AddRange(slice.Messages.Where(message => !gap.Held.ContainsKey(message.Id)));
            }
        }
        catch (Exception e) when (RedisFailures.IsUnavailable(e))
        {
            ScaleoutLog.CatchUpPostponed(logger, e);
            RequestCatchUp();
            return;
        }
        _gap = null;
        // Ids only grow, so id order is each room's order.
        var count = missed.Count;
        foreach (var message in missed.Concat(gap.Held.Values).Where(message => !gap.SentEarly.Contains(message.Id)).OrderBy(message => message.Id))
        {
            var room = message.Room!;
            _lastDelivered[room] = Math.Max(_lastDelivered.GetValueOrDefault(room), message.Id);
            Send(message);
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

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription)
        {
            _items.Writer.TryWrite(new Item(Signal.SubscriptionLost, At: time.GetUtcNow()));
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
                }
                catch (Exception e) when (RedisFailures.IsUnavailable(e))
                {
                    ScaleoutLog.CatchUpPostponed(logger, e);
                }
                try
                {
                    await Task.Delay(MarkerInterval, _stopping);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });
    }

    private readonly record struct Item(Signal Signal, ChatMessage? Message = null, DateTimeOffset At = default);

    /// <summary>A gap in the subscription: each room's position when it was noticed, and what arrived live since.</summary>
    private sealed record Gap(Dictionary<string, long> Positions, DateTimeOffset NoticedAt)
    {
        /// <summary>Live messages waiting for the catch-up, by id.</summary>
        public Dictionary<long, ChatMessage> Held { get; } = [];

        /// <summary>Live messages sent without waiting because too many were held.</summary>
        public HashSet<long> SentEarly { get; } = [];
    }
}
