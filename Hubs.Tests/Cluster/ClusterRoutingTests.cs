using Hubs.Contracts;
using Hubs.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Connections;

namespace Hubs.Tests.Cluster;

/// <summary>nginx, configured from deploy/nginx.conf, in front of the cluster: stickiness and every transport.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterRoutingTests(ClusterFixture cluster)
{
    [Fact]
    public async Task EveryRequestFromOneClientAddressReachesTheSameInstance()
    {
        for (var instance = 0; instance < ClusterFixture.InstanceCount; instance++)
        {
            foreach (var machine in new[] { cluster.MachineOn(instance, 0), cluster.MachineOn(instance, 1) })
            {
                for (var attempt = 0; attempt < 5; attempt++)
                {
                    Assert.Equal(instance, await cluster.InstanceServingAsync(machine));
                }
            }
        }
    }

    [Theory]
    [InlineData(HttpTransportType.LongPolling)]
    [InlineData(HttpTransportType.ServerSentEvents)]
    [InlineData(HttpTransportType.WebSockets)]
    public async Task EveryTransportWorksThroughNginx(HttpTransportType transport)
    {
        // Long polling and SSE only work when negotiate, connect, polls and sends all reach one instance.
        await using var alice = await cluster.ConnectAsync(Names.User("alice"), 1, transport);
        var room = Names.Room();
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));

        for (var i = 0; i < 3; i++)
        {
            var ack = await alice.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, $"via {transport} #{i}"));
            var received = await alice.Events.RoomMessages.NextAsync();
            Assert.Equal(ack.Id, received.Id);
        }
        await alice.Client.StopAsync();

        // nginx logs a request when it ends: by now negotiate, the connection itself and any polls or sends.
        var machine = cluster.MachineOn(1).Address.ToString();
        var hubRequests = await WaitForAsync(() => cluster.Nginx.AccessLogEntries()
            .Where(e => e.RemoteAddress == machine && e.Request.Contains(HubRoutes.Chat, StringComparison.Ordinal))
            .ToList(), entries => entries.Any(e => !e.Request.Contains("/negotiate", StringComparison.Ordinal)));
        Assert.Contains(hubRequests, e => e.Request.Contains("/negotiate", StringComparison.Ordinal));
        Assert.All(hubRequests, e => Assert.Equal([cluster.Instances[1].Port], e.UpstreamPorts));
    }

    /// <summary>Re-reads <paramref name="read"/> until <paramref name="done"/> holds (the log is written after the response).</summary>
    private static async Task<T> WaitForAsync<T>(Func<T> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow + Timeouts.Default;
        var value = read();
        while (!done(value) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
            value = read();
        }
        return value;
    }
}
