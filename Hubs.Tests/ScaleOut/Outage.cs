using System.Net;
using Hubs.Server.Chat;
using Hubs.Server.Scaleout;
using Hubs.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using StackExchange.Redis;

namespace Hubs.Tests.ScaleOut;

/// <summary>Waiting for an instance to notice a Redis outage or its end, and a client's retry of refused calls.</summary>
internal static class Outage
{
    public const string Unavailable = "temporarily unavailable";

    public static Task NoticedByAsync(HubsApplication app) =>
        Eventually.HoldsAsync(async () => await ReadyStatusAsync(app) == HttpStatusCode.ServiceUnavailable, "the instance reports not ready");

    public static Task OverForAsync(HubsApplication app) =>
        Eventually.HoldsAsync(async () => await ReadyStatusAsync(app) == HttpStatusCode.OK, "the instance is ready again", TimeSpan.FromSeconds(45));

    /// <summary>
    /// Waits until Redis is back for both instances: ready, and both subscribed to the chat hub's channel again
    /// (pub/sub reaches only current subscribers, so a message published earlier could miss one).
    /// </summary>
    public static async Task OverAsync(RedisCluster cluster)
    {
        await OverForAsync(cluster.First);
        await OverForAsync(cluster.Second);
        await using var redis = await ConnectionMultiplexer.ConnectAsync(cluster.Redis.ConnectionString);
        var channel = new RedisKeys(cluster.Prefix).HubChannel(nameof(ChatHub));
        await Eventually.HoldsAsync(async () => await redis.GetSubscriber().Multiplexer.GetServers()[0].SubscriptionSubscriberCountAsync(channel) >= 2,
            "both instances listen on the backplane again", TimeSpan.FromSeconds(30));
    }

    /// <summary>What a client does with "temporarily unavailable": call again until <paramref name="done"/> says the answer will do.</summary>
    public static async Task<T> RetryAsync<T>(Func<Task<T>> call, Func<T, bool>? done = null)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(45);
        while (true)
        {
            try
            {
                var result = await call();
                if (done is null || done(result) || DateTime.UtcNow > deadline)
                {
                    return result;
                }
            }
            catch (HubException e) when (DateTime.UtcNow < deadline && e.Message.Contains(Unavailable, StringComparison.Ordinal))
            {
            }
            // Back-off of the retrying client, not a wait for an event.
            await Task.Delay(100);
        }
    }

    private static async Task<HttpStatusCode> ReadyStatusAsync(HubsApplication app)
    {
        using var http = app.CreateClient();
        using var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
        return response.StatusCode;
    }
}
