using System.Net;
using Hubs.Contracts;
using Hubs.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Hubs.Tests.ScaleOut;

/// <summary>Starting with Redis configured: bad settings stop the server, an absent Redis does not.</summary>
public sealed class RedisStartupTests
{
    [Theory]
    [InlineData("Redis:ChannelPrefix", "two words")]
    [InlineData("Redis:PresenceExpiry", "00:00:00.5")]
    [InlineData("Redis:SendClaimExpiry", "01:00:00")]
    [InlineData("Redis:SubscriptionCheckInterval", "00:00:00.05")]
    [InlineData("Redis:SubscriptionProbeTimeout", "00:11:00")]
    public async Task ABadRedisSettingStopsTheServerWithAMessageNamingTheKey(string key, string value)
    {
        await using var app = HubsApplication.With(new Dictionary<string, string?>
        {
            ["Redis:ConnectionString"] = "127.0.0.1:1,connectTimeout=100",
            [key] = value,
        });

        var error = Assert.Throws<OptionsValidationException>(() => app.Server);

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnInstanceStartedWhileRedisIsDownIsNotReadyUntilRedisComesUpThenServes()
    {
        await using var redis = RedisServer.CreateStopped();
        await using var app = HubsApplication.With(new Dictionary<string, string?>
        {
            ["Redis:ConnectionString"] = redis.ConnectionString + ",connectTimeout=500",
            ["Redis:ChannelPrefix"] = "startup-" + Guid.NewGuid().ToString("N")[..12],
        });
        using var http = app.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/health/live", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode);

        await redis.RestartAsync();
        await Eventually.HoldsAsync(async () =>
            (await http.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode == HttpStatusCode.OK, "ready once Redis is up");
        await using var alice = await app.ConnectChatAsync(Names.User("alice"));
        var room = Names.Room();
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));
        var ack = await alice.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "first"));
        Assert.Equal(ack.Id, (await alice.Events.RoomMessages.NextAsync()).Id);
    }
}
