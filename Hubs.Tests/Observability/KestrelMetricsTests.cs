using Hubs.Contracts;
using Hubs.Tests.Infrastructure;

namespace Hubs.Tests.Observability;

/// <summary>
/// A real Hubs.Server process on Kestrel: the built-in Kestrel, SignalR and request series appear beside the
/// project's own, labelled with what happened on this server.
/// </summary>
public sealed class KestrelMetricsTests
{
    [Fact]
    public async Task ARealServerServesKestrelSignalRAndHubSeriesAfterChatTraffic()
    {
        await using var server = await ServerProcess.StartAsync();
        await using var chat = await KestrelClients.ConnectChatAsync(server, Names.User("kestrel"));
        await using var secondTab = await KestrelClients.ConnectChatAsync(server, chat.UserName);
        using var http = new HttpClient { BaseAddress = server.BaseAddress };

        await chat.Client.SendMessageAsync(new SendMessageRequest("one"));
        await chat.Client.SendMessageAsync(new SendMessageRequest("two"));
        var scrape = await PrometheusText.ScrapeAsync(http);

        var port = server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(scrape.Value("kestrel_active_connections", ("server_port", port), ("network_transport", "tcp")) >= 2, scrape.Text);
        Assert.NotEmpty(scrape.Find("kestrel_connection_duration_seconds_count", ("server_port", port)));
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
