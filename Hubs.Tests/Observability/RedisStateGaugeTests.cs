using Hubs.Tests.Infrastructure;

namespace Hubs.Tests.Observability;

/// <summary>With Redis the state gauges come from Redis; while it is down they are left out and the scrape still answers.</summary>
public sealed class RedisStateGaugeTests
{
    [Fact]
    public async Task StateGaugesAreLeftOutWhileRedisIsDownAndComeBackWithIt()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var app = HubsApplication.With(new Dictionary<string, string?>
        {
            ["Redis:ConnectionString"] = redis.ConnectionString + ",connectTimeout=500",
            ["Redis:ChannelPrefix"] = "gauges-" + Guid.NewGuid().ToString("N")[..12],
        });
        using var http = app.CreateClient();
        await using var alice = await app.ConnectChatAsync(Names.User("alice")).ReadyAsync();

        var up = await PrometheusText.ScrapeAsync(http);
        redis.Kill();
        var down = await PrometheusText.ScrapeAsync(http);
        await redis.RestartAsync();
        await Eventually.HoldsAsync(async () => (await PrometheusText.ScrapeAsync(http)).Find("realtimehubs_users_online").Any(),
            "the online-users gauge is back once Redis is");

        Assert.Equal(1, up.Value("realtimehubs_users_online"));
        Assert.Empty(down.Find("realtimehubs_users_online"));
        Assert.Empty(down.Find("realtimehubs_rooms"));
        Assert.NotEmpty(down.Find("realtimehubs_hub_invocations_total"));
    }
}
