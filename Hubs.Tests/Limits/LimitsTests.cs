using System.Net;
using System.Net.Http.Headers;
using Hubs.Contracts;
using Hubs.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Hubs.Tests.Limits;

public sealed class LimitsFixture : IAsyncLifetime
{
    public HubsApplication App { get; } = HubsApplication.With(new Dictionary<string, string?>
    {
        // Three calls, then one per hour: the limit is reached by count, never by timing.
        ["Limits:Burst"] = "3",
        ["Limits:CallsPerPeriod"] = "1",
        ["Limits:RatePeriod"] = "01:00:00",
        ["Limits:MaxConnectionsPerUser"] = "2",
        // The sixth refusal within the hour closes the connection.
        ["Limits:MaxRejectedCalls"] = "5",
        ["Limits:RejectedCallsWindow"] = "01:00:00",
        ["Cors:AllowedOrigins:0"] = "https://app.example.com",
    });

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => App.DisposeAsync().AsTask();
}

public sealed class LimitsTests(LimitsFixture fixture) : IClassFixture<LimitsFixture>
{
    private const string Negotiate = HubRoutes.Chat + "/negotiate?negotiateVersion=1";
    private HubsApplication App => fixture.App;

    [Fact]
    public async Task CallsOverTheRateLimitAreRefusedButTheConnectionAndOthersCarryOn()
    {
        await using var flooder = await App.ConnectChatAsync(Names.User("flooder"));
        await using var bystander = await App.ConnectChatAsync(Names.User("bystander"));

        for (var i = 0; i < 3; i++)
        {
            await flooder.Client.SendMessageAsync(new SendMessageRequest($"burst {i}"));
        }
        var error = await Assert.ThrowsAsync<HubException>(() => flooder.Client.SendMessageAsync(new SendMessageRequest("one too many")));
        var ack = await bystander.Client.SendMessageAsync(new SendMessageRequest("unaffected"));

        Assert.Contains("Too many calls: at most 1 per 3600 s", error.Message, StringComparison.Ordinal);
        Assert.Equal(HubConnectionState.Connected, flooder.Client.State);
        Assert.Equal(ack.Id, (await flooder.Events.Messages.NextAsync(m => m.Id == ack.Id)).Id);
    }

    [Fact]
    public async Task AConnectionBeyondTheUsersLimitIsRefusedAndFreedSlotsCanBeReused()
    {
        var name = Names.User("tabs");
        await using var first = await App.ConnectChatAsync(name);
        var second = await App.ConnectChatAsync(name);

        await using var third = new ChatSession(name, new Hubs.Client.ChatClient(App.HubOptionsFor(name)));
        var refusal = await Assert.ThrowsAsync<Hubs.Client.HubConnectionLostException>(() => third.Client.StartAsync().WaitAsync(Timeouts.Default));
        await second.DisposeAsync();
        await using var replacement = await App.ConnectChatWhenFreedAsync(name);

        Assert.Contains("Too many connections", refusal.Message, StringComparison.Ordinal);
        Assert.Equal(HubConnectionState.Connected, replacement.Client.State);
    }

    [Theory]
    [InlineData(null, HttpStatusCode.OK)]
    [InlineData("https://app.example.com", HttpStatusCode.OK)]
    [InlineData("http://localhost", HttpStatusCode.OK)]
    [InlineData("https://evil.example.net", HttpStatusCode.Forbidden)]
    public async Task HubRequestsFromForeignBrowserOriginsAreRefused(string? origin, HttpStatusCode expected)
    {
        using var http = App.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", App.CreateToken(Names.User("browser")));
        if (origin is not null)
        {
            http.DefaultRequestHeaders.Add("Origin", origin);
        }

        using var response = await http.PostAsync(Negotiate, null);

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task AnAllowedCrossOriginAppGetsCorsHeaders()
    {
        using var http = App.CreateClient();
        using var preflight = new HttpRequestMessage(HttpMethod.Options, Negotiate);
        preflight.Headers.Add("Origin", "https://app.example.com");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization");

        using var response = await http.SendAsync(preflight);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("https://app.example.com", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("true", response.Headers.GetValues("Access-Control-Allow-Credentials").Single());
    }
}
