using System.Diagnostics.Metrics;

namespace Hubs.Server.Stats;

/// <summary>
/// The server's counters, published on the <c>RealtimeHubs</c> meter (for dotnet-counters / OpenTelemetry)
/// and kept as plain numbers for the live statistics stream.
/// </summary>
public sealed class HubMetrics
{
    public const string MeterName = "RealtimeHubs";
    public const string MessagesInstrument = "realtimehubs.messages";
    public const string NotificationsInstrument = "realtimehubs.notifications";
    public const string StatsStreamsInstrument = "realtimehubs.stats.streams";
    public const string InvocationsInstrument = "realtimehubs.hub.invocations";
    public const string RateLimitedInstrument = "realtimehubs.hub.rate_limited";
    public const string RejectedConnectionsInstrument = "realtimehubs.connections.rejected";

    /// <summary>Values of the <c>reason</c> tag of <see cref="RejectedConnectionsInstrument"/>.</summary>
    public const string RejectedOrigin = "origin";
    public const string RejectedUserConnectionLimit = "user_connection_limit";
    public const string RejectedInstanceConnectionLimit = "instance_connection_limit";
    public const string RejectedUnauthenticated = "unauthenticated";

    private readonly Counter<long> _messages;
    private readonly Counter<long> _notifications;
    private readonly UpDownCounter<long> _statsStreams;
    private readonly Counter<long> _invocations;
    private readonly Counter<long> _rateLimited;
    private readonly Counter<long> _rejectedConnections;
    private readonly MessageRate _rate;
    private long _messagesTotal;
    private int _activeStatsStreams;

    public HubMetrics(IMeterFactory meterFactory, TimeProvider time)
    {
        var meter = meterFactory.Create(MeterName);
        _messages = meter.CreateCounter<long>(MessagesInstrument, "{message}", "Chat messages accepted, by kind (global, room, direct, system).");
        _notifications = meter.CreateCounter<long>(NotificationsInstrument, "{notification}", "Notifications published, by audience (topic, everyone).");
        _statsStreams = meter.CreateUpDownCounter<long>(StatsStreamsInstrument, "{stream}", "Live statistics streams open.");
        _invocations = meter.CreateCounter<long>(InvocationsInstrument, "{invocation}", "Hub method calls, by hub, method and outcome (ok, rejected, failed, cancelled).");
        _rateLimited = meter.CreateCounter<long>(RateLimitedInstrument, "{invocation}", "Hub method calls refused by the per-connection rate limit, by hub and method.");
        _rejectedConnections = meter.CreateCounter<long>(RejectedConnectionsInstrument, "{connection}", "Hub connections refused, by reason (origin, user_connection_limit, instance_connection_limit, unauthenticated).");
        _rate = new MessageRate(time);
    }

    public long MessagesTotal => Interlocked.Read(ref _messagesTotal);

    public int ActiveStatsStreams => Volatile.Read(ref _activeStatsStreams);

    /// <summary>Chat messages accepted during the last full second.</summary>
    public long MessagesLastSecond => _rate.LastFullSecond();

    public void MessageAccepted(string kind)
    {
        Interlocked.Increment(ref _messagesTotal);
        _rate.Record();
        _messages.Add(1, new KeyValuePair<string, object?>("kind", kind));
    }

    public void NotificationPublished(bool toEveryone) =>
        _notifications.Add(1, new KeyValuePair<string, object?>("audience", toEveryone ? "everyone" : "topic"));

    public void InvocationCompleted(string hub, string method, string outcome) =>
        _invocations.Add(1, new("hub", hub), new("method", method), new("outcome", outcome));

    /// <summary>The method label of refused calls that name no hub method (their names are the client's, unbounded).</summary>
    public const string UnboundMethod = "(unbound)";

    public void CallRateLimited(string hub, string method) =>
        _rateLimited.Add(1, new("hub", hub), new("method", method));

    /// <param name="reason">One of <see cref="RejectedOrigin"/>, <see cref="RejectedUserConnectionLimit"/>, <see cref="RejectedInstanceConnectionLimit"/>, <see cref="RejectedUnauthenticated"/>.</param>
    public void ConnectionRejected(string reason) =>
        _rejectedConnections.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void StatsStreamOpened()
    {
        Interlocked.Increment(ref _activeStatsStreams);
        _statsStreams.Add(1);
    }

    public void StatsStreamClosed()
    {
        Interlocked.Decrement(ref _activeStatsStreams);
        _statsStreams.Add(-1);
    }
}
