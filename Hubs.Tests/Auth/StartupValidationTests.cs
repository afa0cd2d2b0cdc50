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
    private const string ProductionKey = "Qm9vdHN0cmFwLXNlY3JldC1mb3ItdGVzdHMtb25seS1YeDc5";

    [Theory]
    [InlineData("Rooms:HistoryLength", "0", "Rooms:HistoryLength")]
    [InlineData("Rooms:DefaultPageSize", "500", "Rooms:DefaultPageSize must not exceed Rooms:MaxPageSize")]
    [InlineData("Rooms:MaxPageSize", "20", "Rooms:DefaultPageSize must not exceed Rooms:MaxPageSize")]
    [InlineData("Rooms:NamePattern", "[", "Rooms:NamePattern is not a valid regular expression")]
    [InlineData("Chat:MaxMessageLength", "0", "Chat:MaxMessageLength")]
    [InlineData("Hubs:MaximumReceiveMessageSize", "10", "Hubs:MaximumReceiveMessageSize")]
    [InlineData("SlowConsumers:MaxBufferedBytes", "1000", "SlowConsumers:MaxBufferedBytes")]
    [InlineData("SlowConsumers:DrainTimeout", "00:00:00", "SlowConsumers:DrainTimeout")]
    [InlineData("Hubs:ClientTimeoutInterval", "00:00:20", "Hubs:ClientTimeoutInterval")]
    [InlineData("Auth:SigningKey", "too-short", "Auth:SigningKey")]
    [InlineData("Limits:MaxRejectedCalls", "-1", "Limits:MaxRejectedCalls")]
    [InlineData("Limits:RejectedCallsWindow", "00:00:00", "Limits:RejectedCallsWindow")]
    [InlineData("Limits:MaxConnectionsPerInstance", "0", "Limits:MaxConnectionsPerInstance")]
    [InlineData("Limits:MaxRoomsPerConnection", "0", "Limits:MaxRoomsPerConnection")]
    [InlineData("Limits:MaxParallelInvocationsPerClient", "0", "Limits:MaxParallelInvocationsPerClient")]
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

    [Theory]
    [InlineData("compose-validation-only-0123456789abcdef", "published in this repository")]
    [InlineData("our-jwt-secret-please-change-me-before-go-live", "placeholder (contains 'change-me')")]
    [InlineData("Your-Secret-Key-For-Signing-Tokens-Goes-Here", "placeholder (contains 'your-secret')")]
    [InlineData("kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk", "only 1 distinct characters")]
    [InlineData("abcabcabcabcabcabcabcabcabcabcabcabcabc!", "only 4 distinct characters")]
    public void ProductionRefusesAWellKnownOrWeakSigningKeyNamingTheKey(string key, string why)
    {
        using var app = HubsApplication.With(new Dictionary<string, string?> { ["Auth:SigningKey"] = key }, environment: "Production");

        var error = Assert.ThrowsAny<OptionsValidationException>(() => app.Server);

        Assert.Contains("Auth:SigningKey ", error.Message, StringComparison.Ordinal);
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DevelopmentStillAcceptsAWeakKeySoLocalSetUpsNeedNoSecret()
    {
        using var app = HubsApplication.With(new Dictionary<string, string?> { ["Auth:SigningKey"] = new string('k', 48) });

        Assert.NotNull(app.Server);
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
    public void HeartbeatSizeAndParallelCallLimitsComeFromConfiguration()
    {
        using var app = HubsApplication.With(new Dictionary<string, string?>
        {
            ["Hubs:KeepAliveInterval"] = "00:00:05",
            ["Hubs:ClientTimeoutInterval"] = "00:00:12",
            ["Hubs:MaximumReceiveMessageSize"] = "65536",
            ["Limits:MaxParallelInvocationsPerClient"] = "4",
        });

        var hub = app.Services.GetRequiredService<IOptions<HubOptions>>().Value;

        Assert.Equal(4, hub.MaximumParallelInvocationsPerClient);

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
