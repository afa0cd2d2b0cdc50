using StackExchange.Redis;

namespace Hubs.Server.Scaleout;

/// <summary>
/// One channel this instance listens to, and the check that it still does: every Redis:SubscriptionCheckInterval and
/// right after a reconnect the instance publishes a probe on the channel and waits up to Redis:SubscriptionProbeTimeout
/// for it to come back through its own subscription (re-sending it meanwhile, since the library may still be
/// re-subscribing). If it does not although Redis took every publish, the subscription is lost: warn, tell the owner,
/// drop the channel's subscription and subscribe afresh, and check again until a probe comes back.
/// </summary>
internal sealed class WatchedSubscription : IDisposable
{
    /// <summary>Shortest wait between two sends of one probe.</summary>
    private static readonly TimeSpan MinResend = TimeSpan.FromMilliseconds(50);

    private readonly RedisSubscriptions _owner;
    private readonly Func<ChannelMessage, Task> _onMessage;
    private readonly Action<DateTimeOffset>? _onLost;
    private readonly Action? _onRestored;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private ChannelMessageQueue? _queue;
    private TaskCompletionSource _checkNow = NewSignal();
    private TaskCompletionSource _probeSeen = NewSignal();
    private long _round;
    private volatile bool _broken;
    private Task _running = Task.CompletedTask;

    internal WatchedSubscription(RedisSubscriptions owner, RedisChannel channel, Func<ChannelMessage, Task> onMessage, Action<DateTimeOffset>? onLost, Action? onRestored)
    {
        _owner = owner;
        Channel = channel;
        _onMessage = onMessage;
        _onLost = onLost;
        _onRestored = onRestored;
    }

    public RedisChannel Channel { get; }

    /// <summary>A probe did not come back, and none has since.</summary>
    public bool IsBroken => _broken;

    /// <summary>Probes that came back (for tests and diagnostics).</summary>
    public long ProbesSeen => Interlocked.Read(ref _probesSeen);

    /// <summary>Times the channel was subscribed afresh because a probe did not come back.</summary>
    public long Resubscriptions => Interlocked.Read(ref _resubscriptions);

    private long _probesSeen;
    private long _resubscriptions;

    private ILogger Logger => _owner.Logger;

    private TimeProvider Time => _owner.Time;

    internal void Start() => _running = Task.Run(RunAsync);

    /// <summary>Checks without waiting for the interval (after a reconnect).</summary>
    public void CheckNow()
    {
        lock (_gate)
        {
            _checkNow.TrySetResult();
        }
    }

    public void Dispose()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }
        _stopping.Cancel();
        _owner.Forget(this);
        try
        {
            _queue?.Unsubscribe();
        }
        catch (Exception e) when (RedisFailures.IsUnavailable(e) || e is ObjectDisposedException)
        {
            // Shutting down while Redis is away: the subscription ends with the connection.
        }
        _ = _running.ContinueWith(_ => _stopping.Dispose(), TaskScheduler.Default);
    }

    private async Task RunAsync()
    {
        var stopping = _stopping.Token;
        try
        {
            await SubscribeAsync(stopping);
            var lastDelivered = Time.GetUtcNow();
            while (true)
            {
                Task checkNow;
                lock (_gate)
                {
                    // A reconnect during the probe below asks for another check, which this wait then sees.
                    _checkNow = _checkNow.Task.IsCompleted ? NewSignal() : _checkNow;
                    checkNow = _checkNow.Task;
                }
                ProbeOutcome outcome;
                try
                {
                    outcome = await ProbeAsync(stopping);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Never let one bad round end the checks of this channel.
                    ScaleoutLog.SubscriptionCheckFailed(Logger, Channel.ToString(), e);
                    outcome = ProbeOutcome.Unknown;
                }
                switch (outcome)
                {
                    case ProbeOutcome.Seen:
                        lastDelivered = Time.GetUtcNow();
                        if (_broken)
                        {
                            _broken = false;
                            ScaleoutLog.SubscriptionRestored(Logger, Channel.ToString());
                            Notify(() => _onRestored?.Invoke());
                        }
                        break;
                    case ProbeOutcome.Lost:
                        if (!_broken)
                        {
                            _broken = true;
                            ScaleoutLog.SubscriptionLost(Logger, Channel.ToString(), _owner.Options.SubscriptionProbeTimeout);
                            Notify(() => _onLost?.Invoke(lastDelivered));
                        }
                        await ResubscribeAsync();
                        // Check the new subscription at once.
                        continue;
                }
                await WaitForNextCheckAsync(checkNow, stopping);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Unsubscribed by the owner, or shutting down.
        }
    }

    private async Task SubscribeAsync(CancellationToken stopping)
    {
        var queue = await RedisSubscription.SubscribeAsync(_owner.Redis, Channel, Logger, stopping);
        queue.OnMessage(OnMessageAsync);
        _queue = queue;
    }

    /// <summary>
    /// Drops the channel's subscription in the library, whatever state it believes it is in, so the SUBSCRIBE that
    /// follows really goes to Redis (subscribing again to a channel it still tracks would send nothing).
    /// </summary>
    /// <summary>A failing listener must not end the checks of this channel.</summary>
    private void Notify(Action listener)
    {
        try
        {
            listener();
        }
        catch (Exception e)
        {
            ScaleoutLog.SubscriptionCheckFailed(Logger, Channel.ToString(), e);
        }
    }

    private async Task ResubscribeAsync()
    {
        Interlocked.Increment(ref _resubscriptions);
        try
        {
            _queue = null;
            await _owner.Redis.GetSubscriber().UnsubscribeAsync(Channel);
            var queue = await _owner.Redis.GetSubscriber().SubscribeAsync(Channel);
            queue.OnMessage(OnMessageAsync);
            _queue = queue;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Still broken (Redis refused or is unreachable); the next probe says so and this runs again.
            ScaleoutLog.ResubscribeFailed(Logger, Channel.ToString(), e);
        }
    }

    private Task OnMessageAsync(ChannelMessage message)
    {
        if (!SubscriptionProbe.TryRead(message.Message, out var origin, out var round))
        {
            return _onMessage(message);
        }
        if (origin == _owner.InstanceId && round == Interlocked.Read(ref _round))
        {
            Volatile.Read(ref _probeSeen).TrySetResult();
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// Publishes a probe, re-sending it until it comes back or the timeout ends. Lost only when Redis accepted every
    /// send: a failed send means Redis itself is unreachable, which readiness already reports, and the reconnect
    /// that ends it asks for a new check.
    /// </summary>
    private async Task<ProbeOutcome> ProbeAsync(CancellationToken stopping)
    {
        // The round first: a late probe of the previous round must not complete this round's signal.
        var round = Interlocked.Increment(ref _round);
        var seen = NewSignal();
        Volatile.Write(ref _probeSeen, seen);
        var probe = SubscriptionProbe.Create(_owner.InstanceId, round);
        var timeout = _owner.Options.SubscriptionProbeTimeout;
        var resend = TimeSpan.FromTicks(Math.Max(timeout.Ticks / 5, MinResend.Ticks));
        var started = Time.GetTimestamp();
        var unreachable = false;
        while (true)
        {
            try
            {
                await _owner.Redis.GetSubscriber().PublishAsync(Channel, probe);
            }
            catch (Exception e) when (RedisFailures.IsUnavailable(e))
            {
                ScaleoutLog.ProbeNotPublished(Logger, Channel.ToString(), e);
                unreachable = true;
            }
            var remaining = timeout - Time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                return unreachable ? ProbeOutcome.Unknown : ProbeOutcome.Lost;
            }
            try
            {
                await seen.Task.WaitAsync(remaining < resend ? remaining : resend, Time, stopping);
                Interlocked.Increment(ref _probesSeen);
                ScaleoutLog.ProbeSeen(Logger, Channel.ToString(), Time.GetElapsedTime(started));
                return ProbeOutcome.Seen;
            }
            catch (TimeoutException)
            {
                // Not back yet: send it again (the library may have re-subscribed since).
            }
        }
    }

    private async Task WaitForNextCheckAsync(Task checkNow, CancellationToken stopping)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var interval = Task.Delay(_owner.Options.SubscriptionCheckInterval, Time, wait.Token);
        await Task.WhenAny(interval, checkNow);
        await wait.CancelAsync();
        stopping.ThrowIfCancellationRequested();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private enum ProbeOutcome
    {
        Seen,
        Lost,
        Unknown,
    }
}
