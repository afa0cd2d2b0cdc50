using System.Net;
using Hubs.Contracts;
using Hubs.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Hubs.Tests.Cluster;

/// <summary>redis-server goes down under the running cluster and comes back.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterRedisOutageTests(ClusterFixture cluster)
{
    [Fact]
    public async Task DuringARedisOutageInstancesKeepTheirClientsRefuseSendsAndReportNotReadyThenDeliveryResumes()
    {
        var room = Names.Room();
        await using var alice = await cluster.ConnectAsync(Names.User("alice"), 0);
        await using var carol = await cluster.ConnectAsync(Names.User("carol"), 0);
        await using var bob = await cluster.ConnectAsync(Names.User("bob"), 1);
        foreach (var member in new[] { alice, carol, bob })
        {
            await member.Client.JoinRoomAsync(new JoinRoomRequest(room));
        }

        try
        {
            cluster.Redis.Kill();

            foreach (var instance in cluster.Instances)
            {
                await Eventually.HoldsAsync(async () => await StatusAsync(instance, "/health/ready") == HttpStatusCode.ServiceUnavailable,
                    $"instance on {instance.Port} reports not ready");
                Assert.Equal(HttpStatusCode.OK, await StatusAsync(instance, "/health/live"));
            }
            var refused = await Assert.ThrowsAsync<HubException>(() =>
                alice.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "while Redis is down")));
            Assert.Contains("temporarily unavailable", refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            await cluster.Redis.RestartAsync();
        }

        foreach (var instance in cluster.Instances)
        {
            await Eventually.HoldsAsync(async () => await StatusAsync(instance, "/health/ready") == HttpStatusCode.OK,
                $"instance on {instance.Port} is ready again", TimeSpan.FromSeconds(30));
        }
        Assert.All(new[] { alice, carol, bob }, s => Assert.Equal(HubConnectionState.Connected, s.Client.State));
        var fromBob = await bob.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "Redis is back"));
        var fromAlice = await alice.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "so it is"));
        foreach (var member in new[] { alice, carol, bob })
        {
            // Same instance (carol), other instance (bob) and back: no client had to reconnect or re-join.
            // (A local delivery may overtake one relayed from another instance, so the order is not checked.)
            long[] received = [(await member.Events.RoomMessages.NextAsync()).Id, (await member.Events.RoomMessages.NextAsync()).Id];
            Assert.Equal([fromBob.Id, fromAlice.Id], received.Order());
        }
        // What was refused was not kept either: the room holds exactly the two acknowledged messages.
        var history = await bob.Client.GetRoomHistoryAsync(new GetRoomHistoryRequest(room));
        Assert.Equal([fromBob.Id, fromAlice.Id], history.Select(m => m.Id));
    }

    private static async Task<HttpStatusCode> StatusAsync(ServerProcess instance, string path)
    {
        using var http = new HttpClient { BaseAddress = instance.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        return response.StatusCode;
    }
}
