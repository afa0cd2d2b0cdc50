using System.Globalization;
using System.Net;
using Hubs.Contracts;
using Hubs.Tests.Infrastructure;

namespace Hubs.Tests.Observability;

/// <summary>
/// A real Hubs.Server process on Kestrel: the built-in Kestrel, SignalR and request series appear beside the
/// project's own, labelled with what happened on this server, on the internal metrics port only.
/// </summary>
public sealed class KestrelMetricsTests
{
    [Fact]
    public async Task ARealServerServesKestrelSignalRAndHubSeriesOnItsMetricsPortAfterChatTraffic()
    {
        var port = ServerProcess.FreePort();
        var metricsPort = ServerProcess.FreePort();
        // Two Kestrel endpoints, as in production: the public one, and an internal one that alone serves /metrics.
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string?>
        {
            ["Kestrel:Endpoints:Public:Url"] = $"http://127.0.0.1:{port}",
            ["Kestrel:Endpoints:Metrics:Url"] = $"http://127.0.0.1:{metricsPort}",
            ["Metrics:Port"] = metricsPort.ToString(CultureInfo.InvariantCulture),
        }, port);
        await using var chat = await KestrelClients.ConnectChatAsync(server, Names.User("kestrel"));
        await using var secondTab = await KestrelClients.ConnectChatAsync(server, chat.UserName);
        using var publicHttp = new HttpClient { BaseAddress = server.BaseAddress };
        using var metricsHttp = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{metricsPort}") };

        await chat.Client.SendMessageAsync(new SendMessageRequest("one"));
        await chat.Client.SendMessageAsync(new SendMessageRequest("two"));
        using var onPublicPort = await publicHttp.GetAsync(new Uri("/metrics", UriKind.Relative));
        var scrape = await PrometheusText.ScrapeAsync(metricsHttp);

        Assert.Equal(HttpStatusCode.NotFound, onPublicPort.StatusCode);
        var publicPort = port.ToString(CultureInfo.InvariantCulture);
        Assert.True(scrape.Value("kestrel_active_connections", ("server_port", publicPort), ("network_transport", "tcp")) >= 2, scrape.Text);
        Assert.Equal(2, scrape.Value("signalr_server_active_connections", ("signalr_transport", "web_sockets")));
        Assert.Equal(2, scrape.Value("http_server_request_duration_seconds_count",
            ("http_route", ApiRoutes.Token), ("http_request_method", "POST"), ("http_response_status_code", "200")));
        Assert.Equal(2, scrape.Value("realtimehubs_hub_invocations_total",
            ("hub", "ChatHub"), ("method", nameof(IChatHub.SendMessage)), ("outcome", "ok")));
        Assert.Equal(1, scrape.Value("realtimehubs_users_online"));
        Assert.Equal("realtimehubs", scrape.Find("target_info").Single().Labels["service_name"]);
        Assert.NotEmpty(scrape.Find("dotnet_process_memory_working_set_bytes"));
    }
}
