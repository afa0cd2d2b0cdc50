using System.Net;
using Hubs.Server.Scaleout;
using Hubs.Tests.Infrastructure;
using Hubs.Tests.Observability;
using StackExchange.Redis;

namespace Hubs.Tests.ScaleOut;

/// <summary>
/// A heartbeat round that fails for a reason other than Redis being unreachable (here: the sweep of a dead instance
/// meets an entry it cannot read) says nothing about this instance's own state in Redis, so readiness is not touched.
/// </summary>
/// <remarks>A short Redis:PresenceExpiry (3 s), so the janitor beats every second.</remarks>
public sealed class JanitorSweepFailureTests : IAsyncLifetime
{
    private const int JanitorFailedEventId = 1412;

    private readonly string _prefix = "sweep-" + Guid.NewGuid().ToString("N")[..12];
    private RedisServer _redis = null!;
    private LoggedHubsApplication _app = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _app = LoggedHubsApplication.WithSettings(new Dictionary<string, string?>
        {
            ["Redis:ConnectionString"] = _redis.ConnectionString,
            ["Redis:ChannelPrefix"] = _prefix,
            ["Redis:PresenceExpiry"] = "00:00:03",
        });
        _ = _app.Server;
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task ASweepThatKeepsFailingOnAnotherInstancesUnreadableEntryLeavesThisInstanceReady()
    {
        await Outage.OverForAsync(_app);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(_redis.ConnectionString);
        var db = redis.GetDatabase();
        var keys = new RedisKeys(_prefix);
        var failuresBefore = _app.Logs.Records.Count(record => record.EventId == JanitorFailedEventId);

        // A dead instance (no heartbeat key) whose index holds an entry no instance can parse.
        await db.HashSetAsync(keys.InstanceConnections("broken"), "conn-x", "unreadable");
        await db.SetAddAsync(keys.Instances, "broken");
        await _app.Logs.WaitUntilAsync(
            records => records.Count(record => record.EventId == JanitorFailedEventId) >= failuresBefore + 2,
            "two heartbeats failed on the sweep");

        Assert.Equal(HttpStatusCode.OK, await ReadyStatusAsync());
    }

    private async Task<HttpStatusCode> ReadyStatusAsync()
    {
        using var http = _app.CreateClient();
        using var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
        return response.StatusCode;
    }
}
