using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Hubs.Client;
using Hubs.Contracts;
using Hubs.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Hubs.Tests.Auth;

public sealed class AuthTests(HubsApplication app) : IClassFixture<HubsApplication>
{
    private const string Negotiate = HubRoutes.Chat + "/negotiate?negotiateVersion=1";

    [Fact]
    public async Task NegotiateWithoutATokenIsUnauthorized()
    {
        using var http = app.CreateClient();

        using var response = await http.PostAsync(Negotiate, null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task AClientWithoutATokenCannotConnect()
    {
        await using var client = new ChatClient(app.HubOptionsFor(userName: null, transport: HttpTransportType.LongPolling));

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.StartAsync());

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
    }

    public static TheoryData<string> RejectedTokens => new()
    {
        "expired",
        "signed with another key",
        "wrong audience",
        "not a JWT",
    };

    [Theory]
    [MemberData(nameof(RejectedTokens))]
    public async Task NegotiateWithABadTokenIsUnauthorized(string kind)
    {
        var token = kind switch
        {
            "expired" => app.CreateToken(Names.User("late"), lifetime: TimeSpan.FromMinutes(-5)),
            "signed with another key" => Sign(new string('k', 48), "realtimehubs", new() { ["sub"] = "mallory" }),
            "wrong audience" => Sign(app.SigningKey, "someone-else", new() { ["sub"] = "mallory" }),
            _ => "not-a-jwt",
        };
        using var http = app.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using var response = await http.PostAsync(Negotiate, null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task AConnectionIsClosedWhenItsTokenExpires()
    {
        var name = Names.User("expiring");
        // JwtBearer accepts a token up to 30 s (ClockSkew) past its expiry, so a 5 s token connects however slow the
        // machine is; SignalR's own check uses the token's exact expiry and closes the connection about then.
        var token = app.CreateToken(name, lifetime: TimeSpan.FromSeconds(5));
        await using var connection = HubConnectionFactory.Create(app.HubOptionsFor(name, token: token), HubRoutes.Chat);
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.Closed += error => Task.FromResult(closed.TrySetResult(error));
        await connection.StartAsync();
        var members = await connection.InvokeAsync<UserInfo[]>(nameof(IChatHub.GetRoomMembers), new GetRoomMembersRequest("probe"));

        await closed.Task.WaitAsync(Timeouts.Default);

        Assert.Empty(members);
        Assert.Equal(HubConnectionState.Disconnected, connection.State);
    }

    [Fact]
    public async Task TheTypedClientComesBackWithAFreshTokenAfterItsTokenExpired()
    {
        var name = Names.User("renewing");
        var shortLived = app.CreateToken(name, lifetime: TimeSpan.FromSeconds(5));
        var fresh = app.CreateToken(name);
        var expired = 0;
        // Long polling: each request takes its token from AccessTokenProvider (the test WebSocket factory pins one).
        var options = app.HubOptionsFor(name, transport: HttpTransportType.LongPolling);
        options.AccessTokenProvider = () => Task.FromResult<string?>(Volatile.Read(ref expired) == 0 ? shortLived : fresh);
        options.Reconnect = new ReconnectPolicy { InitialDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(200), MaxAttempts = null };
        await using var chat = new ChatClient(options);
        var states = new EventStream<ConnectionEvent>();
        chat.ConnectionChanged += change =>
        {
            if (change is DisconnectedEvent)
            {
                Volatile.Write(ref expired, 1);
            }
            states.Add(change);
        };

        await chat.StartAsync();
        var first = (ConnectedEvent)await states.NextAsync(change => change is ConnectedEvent);
        await states.NextAsync(change => change is DisconnectedEvent);
        var back = (ReconnectedEvent)await states.NextAsync(change => change is ReconnectedEvent);
        var ack = await chat.SendMessageAsync(new SendMessageRequest("still here"));

        Assert.NotEqual(first.ConnectionId, back.ConnectionId);
        Assert.True(ack.Id > 0);
    }

    [Fact]
    public async Task BrowsersMayPassTheTokenInTheQueryString()
    {
        using var http = app.CreateClient();

        using var response = await http.PostAsync($"{Negotiate}&access_token={app.CreateToken(Names.User("browser"))}", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task TheDevTokenEndpointIssuesATokenThatConnectsAsThatUser()
    {
        using var http = app.CreateClient();
        var name = Names.User("dev");

        using var response = await http.PostAsJsonAsync(ApiRoutes.Token, new TokenRequest(name, ["admin"]));
        var token = await response.Content.ReadFromJsonAsync<TokenResponse>();
        var options = app.HubOptionsFor(name, token: token!.AccessToken);
        await using var client = new ChatClient(options);
        var events = new ChatEvents();
        client.Subscribe(events);
        await client.StartAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.InRange(token.ExpiresAt, DateTime.UtcNow.AddHours(7), DateTime.UtcNow.AddHours(9));
        Assert.Equal(new UserInfo(name, name), (await events.Welcome.NextAsync()).User);
        var claims = new JsonWebTokenHandler().ReadJsonWebToken(token.AccessToken);
        Assert.Equal("admin", claims.GetClaim("role").Value);
    }

    [Theory]
    [InlineData("""{"userName":""}""")]
    [InlineData("""{"userName":"../etc"}""")]
    [InlineData("""{"userName":"has space"}""")]
    [InlineData("""{"userName":"ok","roles":["bad role"]}""")]
    [InlineData("""{}""")]
    public async Task TheDevTokenEndpointRejectsBadRequestsWithAProblem(string body)
    {
        using var http = app.CreateClient();

        using var response = await http.PostAsync(ApiRoutes.Token, new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task TheUserNameComesFromTheNameClaimAndFallsBackToSub()
    {
        var token = Sign(app.SigningKey, "realtimehubs", new() { ["sub"] = "u-42", ["name"] = "Ada Lovelace" });
        await using var client = new ChatClient(app.HubOptionsFor("u-42", token: token));
        var events = new ChatEvents();
        client.Subscribe(events);

        await client.StartAsync();

        Assert.Equal(new UserInfo("u-42", "Ada Lovelace"), (await events.Welcome.NextAsync()).User);
    }

    private static string Sign(string key, string audience, Dictionary<string, object> claims) =>
        new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "realtimehubs",
            Audience = audience,
            Claims = claims,
            Expires = DateTime.UtcNow.AddHours(1),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256),
        });
}
