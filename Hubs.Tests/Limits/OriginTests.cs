using System.Net.WebSockets;
using System.Text;
using Hubs.Contracts;
using Hubs.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Hubs.Tests.Limits;

/// <summary>
/// Cross-site WebSocket hijacking: CORS only governs what a page may read from fetch/XHR, while a page on any site
/// may open a WebSocket to the hub with the user's cookies or a leaked token. The Origin check covers both paths.
/// </summary>
public sealed class OriginTests(LimitsFixture fixture) : IClassFixture<LimitsFixture>
{
    private HubsApplication App => fixture.App;

    [Theory]
    [InlineData("https://evil.example.net")]
    [InlineData("https://app.example.com.evil.example.net")]
    [InlineData("null")]
    public async Task AWebSocketUpgradeFromAForeignOriginIsRefusedWith403WithoutNegotiating(string origin)
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ConnectWebSocketAsync(origin));

        Assert.Contains("403", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("https://app.example.com")]
    [InlineData("HTTPS://APP.EXAMPLE.COM")]
    [InlineData("http://localhost")]
    public async Task AWebSocketUpgradeFromAnAllowedOriginOrWithoutOneCompletesTheHandshake(string? origin)
    {
        using var socket = await ConnectWebSocketAsync(origin);

        var reply = await HandshakeAsync(socket);

        Assert.Equal("{}", reply);
    }

    [Theory]
    [InlineData("app.example.com")]
    [InlineData("https://app.example.com/")]
    [InlineData("https://app.example.com/chat")]
    [InlineData("ftp://app.example.com")]
    public void AMalformedAllowedOriginStopsTheServerAtStartNamingTheKey(string origin)
    {
        using var app = HubsApplication.With(new Dictionary<string, string?> { ["Cors:AllowedOrigins:0"] = origin });

        var error = Assert.ThrowsAny<OptionsValidationException>(() => app.Server);

        Assert.Contains("Cors:AllowedOrigins:0", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheOldLimitsAllowedOriginsKeyNoLongerOpensTheHubToAnOrigin()
    {
        await using var app = HubsApplication.With(new Dictionary<string, string?> { ["Limits:AllowedOrigins:0"] = "https://app.example.com" });

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ConnectWebSocketAsync(app, "https://app.example.com"));

        Assert.Contains("403", error.Message, StringComparison.Ordinal);
    }

    private Task<WebSocket> ConnectWebSocketAsync(string? origin) => ConnectWebSocketAsync(App, origin);

    /// <summary>A direct upgrade, as a client with skipNegotiation does: no negotiate request to refuse first.</summary>
    private static async Task<WebSocket> ConnectWebSocketAsync(HubsApplication app, string? origin)
    {
        var client = app.Server.CreateWebSocketClient();
        var token = app.CreateToken(Names.User("browser"));
        client.ConfigureRequest = request =>
        {
            request.Headers.Authorization = $"Bearer {token}";
            if (origin is not null)
            {
                request.Headers.Origin = origin;
            }
        };
        return await client.ConnectAsync(new Uri(app.Server.BaseAddress, HubRoutes.Chat.TrimStart('/')), CancellationToken.None)
            .WaitAsync(Timeouts.Default);
    }

    private static async Task<string> HandshakeAsync(WebSocket socket)
    {
        await socket.SendAsync("""{"protocol":"json","version":1}"""u8.ToArray().Append((byte)0x1e).ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);
        using var cts = new CancellationTokenSource(Timeouts.Default);
        var buffer = new byte[4096];
        var result = await socket.ReceiveAsync(buffer, cts.Token);
        var text = Encoding.UTF8.GetString(buffer, 0, result.Count);
        return text[..text.IndexOf('\u001e', StringComparison.Ordinal)];
    }
}
