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
        var machine = cluster.MachineOn(1, nth: 1);
        var earlier = HubRequestsFrom(machine).Count;
        await using var alice = await cluster.ConnectFromAsync(machine, Names.User("alice"), transport);
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
        IReadOnlyList<AccessLogEntry> hubRequests = [];
        await Eventually.HoldsAsync(() =>
        {
            hubRequests = [.. HubRequestsFrom(machine).Skip(earlier)];
            return Task.FromResult(hubRequests.Any(e => !e.Request.Contains("/negotiate", StringComparison.Ordinal)));
        }, "nginx logged the connection itself");
        Assert.Contains(hubRequests, e => e.Request.Contains("/negotiate", StringComparison.Ordinal));
        Assert.All(hubRequests, e => Assert.Equal([cluster.Instances[1].Port], e.UpstreamPorts));
    }

    [Fact]
    public async Task AnAccessTokenInTheQueryStringNeverReachesTheAccessLog()
    {
        // Browsers send the token of a WebSocket (and of SSE) as ?access_token=, since they cannot set headers.
        var machine = cluster.MachineOn(2, nth: 1);
        var marker = $"probe={Guid.NewGuid():N}";
        const string Secret = "eyJ-not-a-real-token-but-secret";
        using var http = machine.CreateHttpClient(cluster.BaseAddress);
        using (var response = await http.GetAsync(new Uri($"/health/live?{marker}&access_token={Secret}&after=1", UriKind.Relative)))
        {
            response.EnsureSuccessStatusCode();
        }

        await cluster.Nginx.UpstreamPortOfAsync(marker);
        var line = Assert.Single(cluster.Nginx.AccessLogEntries(), e => e.Request.Contains(marker, StringComparison.Ordinal));
        Assert.Contains("access_token=[redacted]&after=1", line.Request, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, cluster.Nginx.AccessLog, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APageServedThroughNginxMayUseTheHubsAndAPageOfAnotherSiteMayNot()
    {
        var machine = cluster.MachineOn(0);
        using var http = machine.CreateHttpClient(cluster.BaseAddress);
        var token = await machine.GetTokenAsync(cluster.BaseAddress, Names.User("page"));
        var ownOrigin = cluster.BaseAddress.GetLeftPart(UriPartial.Authority);

        var own = await NegotiateAsync(http, token, ownOrigin);
        var foreign = await NegotiateAsync(http, token, "https://evil.example.net");

        Assert.Equal(System.Net.HttpStatusCode.OK, own);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, foreign);
    }

    private static async Task<System.Net.HttpStatusCode> NegotiateAsync(HttpClient http, string token, string origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, HubRoutes.Chat + "/negotiate?negotiateVersion=1");
        request.Headers.Authorization = new("Bearer", token);
        request.Headers.Add("Origin", origin);
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    private List<AccessLogEntry> HubRequestsFrom(ClientMachine machine) =>
        [.. cluster.Nginx.AccessLogEntries().Where(e =>
            e.RemoteAddress == machine.Address.ToString() && e.Request.Contains(HubRoutes.Chat, StringComparison.Ordinal))];
}
