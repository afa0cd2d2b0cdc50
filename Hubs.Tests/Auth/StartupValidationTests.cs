using System.Net;
using Hubs.Contracts;
using Hubs.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Hubs.Tests.Auth;

/// <summary>Bad configuration stops the server at start with a message naming the key.</summary>
public sealed class StartupValidationTests
{
    private const string ProductionKey = "a-real-production-secret-of-at-least-32-bytes!";

    [Theory]
    [InlineData("Rooms:HistoryLength", "0", "Rooms:HistoryLength")]
    [InlineData("Chat:MaxMessageLength", "0", "Chat:MaxMessageLength")]
    [InlineData("Hubs:MaximumReceiveMessageSize", "10", "Hubs:MaximumReceiveMessageSize")]
    [InlineData("SlowConsumers:MaxBufferedBytes", "1000", "SlowConsumers:MaxBufferedBytes")]
    [InlineData("SlowConsumers:DrainTimeout", "00:00:00", "SlowConsumers:DrainTimeout")]
    [InlineData("Hubs:ClientTimeoutInterval", "00:00:20", "Hubs:ClientTimeoutInterval")]
    [InlineData("Auth:SigningKey", "too-short", "Auth:SigningKey")]
    public void AnInvalidSettingFailsStartNamingTheKey(string key, string value, string named)
    {
        using var app = HubsApplication.With(new Dictionary<string, string?> { [key] = value });

        var error = Assert.ThrowsAny<OptionsValidationException>(() => app.Server);

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ProductionRefusesTheDevelopmentSigningKey()
    {
        using var app = HubsApplication.With(
            new Dictionary<string, string?> { ["Auth:SigningKey"] = "DEV-ONLY-realtimehubs-signing-key-change-me-0123456789" },
            environment: "Production");

        var error = Assert.ThrowsAny<OptionsValidationException>(() => app.Server);

        Assert.Contains("Auth:SigningKey is the development key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ProductionWithoutAnyKeyOrAuthorityRefusesToStart()
    {
        using var app = HubsApplication.With(new Dictionary<string, string?>(), environment: "Production");

        var error = Assert.ThrowsAny<OptionsValidationException>(() => app.Server);

        Assert.Contains("Auth:SigningKey or Auth:Authority must be set", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProductionHasNoDevTokenEndpointButAcceptsTokensSignedWithItsKey()
    {
        using var app = HubsApplication.With(new Dictionary<string, string?> { ["Auth:SigningKey"] = ProductionKey }, environment: "Production");
        using var http = app.CreateClient();

        using var tokenResponse = await http.PostAsync(ApiRoutes.Token, JsonContent("""{"userName":"alice"}"""));
        http.DefaultRequestHeaders.Authorization = new("Bearer", app.CreateToken("alice"));
        using var negotiate = await http.PostAsync(HubRoutes.Chat + "/negotiate?negotiateVersion=1", null);

        Assert.Equal(HttpStatusCode.NotFound, tokenResponse.StatusCode);
        Assert.Equal(HttpStatusCode.OK, negotiate.StatusCode);
    }

    [Fact]
    public void HeartbeatAndSizeLimitComeFromTheHubsSection()
    {
        using var app = HubsApplication.With(new Dictionary<string, string?>
        {
            ["Hubs:KeepAliveInterval"] = "00:00:05",
            ["Hubs:ClientTimeoutInterval"] = "00:00:12",
            ["Hubs:MaximumReceiveMessageSize"] = "65536",
        });

        var hub = app.Services.GetRequiredService<IOptions<HubOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(5), hub.KeepAliveInterval);
        Assert.Equal(TimeSpan.FromSeconds(12), hub.ClientTimeoutInterval);
        Assert.Equal(65536, hub.MaximumReceiveMessageSize);
    }

    [Fact]
    public void DefaultsAreFifteenSecondKeepAliveThirtySecondTimeoutAnd32KiB()
    {
        using var app = new HubsApplication();

        var hub = app.Services.GetRequiredService<IOptions<HubOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(15), hub.KeepAliveInterval);
        Assert.Equal(TimeSpan.FromSeconds(30), hub.ClientTimeoutInterval);
        Assert.Equal(32 * 1024, hub.MaximumReceiveMessageSize);
    }

    private static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
