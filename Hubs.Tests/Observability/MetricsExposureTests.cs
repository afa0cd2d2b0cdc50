using System.Net;
using System.Net.Http.Headers;
using Hubs.Server.Auth;
using Hubs.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Hubs.Tests.Observability;

/// <summary>How <c>/metrics</c> is exposed: path, host restriction, admin role, switched off, bad settings.</summary>
public sealed class MetricsExposureTests
{
    [Fact]
    public async Task TheScrapeEndpointAnswersOnlyOnItsRequiredHost()
    {
        await using var app = HubsApplication.With(new Dictionary<string, string?>
        {
            ["Metrics:RequireHost:0"] = "metrics.internal:9464",
            ["Metrics:Path"] = "/internal/metrics",
        });
        using var http = app.CreateClient();

        using var publicHost = await http.GetAsync(new Uri("/internal/metrics", UriKind.Relative));
        using var defaultPath = await http.GetAsync(new Uri("/metrics", UriKind.Relative));
        using var internalHost = new HttpRequestMessage(HttpMethod.Get, "/internal/metrics");
        internalHost.Headers.Host = "metrics.internal:9464";
        using var scraped = await http.SendAsync(internalHost);

        Assert.Equal(HttpStatusCode.NotFound, publicHost.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, defaultPath.StatusCode);
        Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
        Assert.Contains("realtimehubs_users_online", await scraped.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithTheAdminRoleRequiredAScrapeNeedsAnAdminToken()
    {
        await using var app = HubsApplication.With(new Dictionary<string, string?> { ["Metrics:RequireAdminRole"] = "true" });
        using var http = app.CreateClient();

        using var anonymous = await GetAsync(http, token: null);
        using var user = await GetAsync(http, app.CreateToken(Names.User("user")));
        using var admin = await GetAsync(http, app.CreateToken(Names.User("admin"), [HubClaims.AdminRole]));

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, user.StatusCode);
        Assert.Equal(HttpStatusCode.OK, admin.StatusCode);
    }

    [Fact]
    public async Task SwitchedOffThereIsNoScrapeEndpoint()
    {
        await using var app = HubsApplication.With(new Dictionary<string, string?> { ["Metrics:Enabled"] = "false" });
        using var http = app.CreateClient();

        using var response = await http.GetAsync(new Uri("/metrics", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("Metrics:Path", "metrics")]
    [InlineData("Metrics:Path", "/metrics?x=1")]
    [InlineData("Metrics:RequireHost:0", " ")]
    public void AnInvalidMetricsSettingFailsStartNamingTheKey(string key, string value)
    {
        using var app = HubsApplication.With(new Dictionary<string, string?> { [key] = value });

        var error = Assert.ThrowsAny<OptionsValidationException>(() => app.Server);

        var setting = string.Join(':', key.Split(':').Take(2));
        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient http, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return await http.SendAsync(request);
    }
}
