using System.Net;
using System.Net.Http.Headers;
using Hubs.Contracts;
using Hubs.Server.Stats;
using Hubs.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;

namespace Hubs.Tests.Observability;

public sealed class MetricsFixture : IAsyncLifetime
{
    public const int Burst = 5;

    public HubsApplication App { get; } = HubsApplication.With(new Dictionary<string, string?>
    {
        // Five calls per connection, then one per hour: the rate limit is reached by count, never by timing.
        ["Limits:Burst"] = Burst.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Limits:CallsPerPeriod"] = "1",
        ["Limits:RatePeriod"] = "01:00:00",
        ["Limits:MaxConnectionsPerUser"] = "1",
    });

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => App.DisposeAsync().AsTask();
}

/// <summary>
/// <c>/metrics</c> scraped over the TestServer before and after real hub traffic: the project's series change by
/// exactly what the traffic did. Tests of one class run one after another, so deltas are not disturbed.
/// </summary>
public sealed class MetricsEndpointTests(MetricsFixture fixture) : IClassFixture<MetricsFixture>
{
    private const string Invocations = "realtimehubs_hub_invocations_total";
    private const string RateLimited = "realtimehubs_hub_rate_limited_total";
    private const string Rejected = "realtimehubs_connections_rejected_total";
    private const string Negotiate = HubRoutes.Chat + "/negotiate?negotiateVersion=1";

    private static readonly (string, string) s_chatHub = ("hub", "ChatHub");
    private static readonly (string, string) s_sendMessage = ("method", nameof(IChatHub.SendMessage));

    private HubsApplication App => fixture.App;

    [Fact]
    public async Task SentMessagesAreCountedByHubMethodAndOutcome()
    {
        await using var alice = await App.ConnectChatAsync(Names.User("alice"));
        using var http = App.CreateClient();
        var before = await PrometheusText.ScrapeAsync(http);

        for (var i = 0; i < 3; i++)
        {
            await alice.Client.SendMessageAsync(new SendMessageRequest($"counted {i}"));
        }
        await Assert.ThrowsAsync<HubException>(() => alice.Client.SendMessageAsync(new SendMessageRequest("   ")));
        var after = await PrometheusText.ScrapeAsync(http);

        Assert.Equal(3, Delta(before, after, Invocations, s_chatHub, s_sendMessage, ("outcome", "ok")));
        Assert.Equal(1, Delta(before, after, Invocations, s_chatHub, s_sendMessage, ("outcome", "rejected")));
        Assert.Equal(0, Delta(before, after, Invocations, s_chatHub, s_sendMessage, ("outcome", "failed")));
        Assert.Equal(3, Delta(before, after, "realtimehubs_messages_total", ("kind", "global")));
        Assert.All(after.Find(Invocations), sample => Assert.Equal(HubMetrics.MeterName, sample.Labels["otel_scope_name"]));
    }

    [Fact]
    public async Task ACallOverTheRateLimitIsCountedAsRateLimitedAndRejected()
    {
        await using var flooder = await App.ConnectChatAsync(Names.User("flooder"));
        using var http = App.CreateClient();
        var before = await PrometheusText.ScrapeAsync(http);

        for (var i = 0; i < MetricsFixture.Burst; i++)
        {
            await flooder.Client.SendMessageAsync(new SendMessageRequest($"burst {i}"));
        }
        var error = await Assert.ThrowsAsync<HubException>(() => flooder.Client.SendMessageAsync(new SendMessageRequest("one too many")));
        var after = await PrometheusText.ScrapeAsync(http);

        Assert.Contains("Too many calls", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, Delta(before, after, RateLimited, s_chatHub, s_sendMessage));
        Assert.Equal(1, Delta(before, after, Invocations, s_chatHub, s_sendMessage, ("outcome", "rejected")));
        Assert.Equal(MetricsFixture.Burst, Delta(before, after, Invocations, s_chatHub, s_sendMessage, ("outcome", "ok")));
    }

    [Fact]
    public async Task CallsOfUnknownMethodsOverTheRateLimitAreCountedWithoutTheirNames()
    {
        await using var socket = await RawHubSocket.ConnectAsync(App, Names.User("prober"), "json");
        using var http = App.CreateClient();
        var before = await PrometheusText.ScrapeAsync(http);

        for (var i = 0; i <= MetricsFixture.Burst; i++)
        {
            await socket.SendJsonAsync($$"""{"type":1,"invocationId":"{{i}}","target":"NoSuchMethod{{i}}","arguments":[]}""");
        }
        // The last call's answer is the refusal; the metric is counted before it is sent.
        await RawCompletionAsync(socket, MetricsFixture.Burst.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var after = await PrometheusText.ScrapeAsync(http);

        Assert.Equal(1, Delta(before, after, RateLimited, s_chatHub, ("method", HubMetrics.UnboundMethod)));
        Assert.DoesNotContain(after.Find(RateLimited), sample => sample.Labels["method"].StartsWith("NoSuchMethod", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AHubRequestFromAForeignOriginCountsAsARejectedConnection()
    {
        using var http = App.CreateClient();
        var before = await PrometheusText.ScrapeAsync(http);

        using var refused = new HttpRequestMessage(HttpMethod.Post, Negotiate);
        refused.Headers.Authorization = new AuthenticationHeaderValue("Bearer", App.CreateToken(Names.User("browser")));
        refused.Headers.Add("Origin", "https://evil.example.net");
        using var response = await http.SendAsync(refused);
        var after = await PrometheusText.ScrapeAsync(http);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(1, Delta(before, after, Rejected, ("reason", HubMetrics.RejectedOrigin)));
        Assert.Equal(0, Delta(before, after, Rejected, ("reason", HubMetrics.RejectedUnauthenticated)));
    }

    [Fact]
    public async Task AHubRequestWithoutATokenCountsAsUnauthenticated()
    {
        using var http = App.CreateClient();
        var before = await PrometheusText.ScrapeAsync(http);

        using var response = await http.PostAsync(Negotiate, null);
        using var notAHub = await http.GetAsync(ApiRoutes.AdminUsers);
        var after = await PrometheusText.ScrapeAsync(http);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, notAHub.StatusCode);
        Assert.Equal(1, Delta(before, after, Rejected, ("reason", HubMetrics.RejectedUnauthenticated)));
    }

    [Fact]
    public async Task AConnectionOverTheUsersLimitCountsAsRejected()
    {
        var name = Names.User("tabs");
        await using var first = await App.ConnectChatAsync(name);
        using var http = App.CreateClient();
        var before = await PrometheusText.ScrapeAsync(http);

        await using var second = new ChatSession(name, new Hubs.Client.ChatClient(App.HubOptionsFor(name)));
        var refusal = await Assert.ThrowsAsync<Hubs.Client.HubConnectionLostException>(() => second.Client.StartAsync().WaitAsync(Timeouts.Default));
        var after = await PrometheusText.ScrapeAsync(http);

        Assert.Contains("Too many connections", refusal.Message, StringComparison.Ordinal);
        Assert.Equal(1, Delta(before, after, Rejected, ("reason", HubMetrics.RejectedUserConnectionLimit)));
    }

    [Fact]
    public async Task TheScrapeItselfIsNotCountedAsAnHttpRequest()
    {
        using var http = App.CreateClient();
        await PrometheusText.ScrapeAsync(http);
        using var live = await http.GetAsync(new Uri("/health/live", UriKind.Relative));

        // The request metric is recorded as the request ends on the server, which may be just after the client has the answer.
        PrometheusText scrape = null!;
        await Eventually.HoldsAsync(async () =>
        {
            scrape = await PrometheusText.ScrapeAsync(http);
            return scrape.ValueOrZero("http_server_request_duration_seconds_count", ("http_route", "/health/live"), ("http_response_status_code", "200")) >= 1;
        }, "the /health/live request is recorded");

        Assert.Empty(scrape.Find("http_server_request_duration_seconds_count", ("http_route", "/metrics")));
    }

    private static async Task<System.Text.Json.JsonElement> RawCompletionAsync(RawHubSocket socket, string invocationId)
    {
        while (true)
        {
            using var frame = System.Text.Json.JsonDocument.Parse(await socket.NextMessageAsync());
            var root = frame.RootElement;
            if (root.GetProperty("type").GetInt32() == 3 && root.GetProperty("invocationId").GetString() == invocationId)
            {
                Assert.Contains("Too many calls", root.GetProperty("error").GetString(), StringComparison.Ordinal);
                return root.Clone();
            }
        }
    }

    private static double Delta(PrometheusText before, PrometheusText after, string name, params (string, string)[] labels) =>
        after.ValueOrZero(name, labels) - before.ValueOrZero(name, labels);
}
