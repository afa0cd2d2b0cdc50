using System.Net;
using System.Net.Http.Headers;
using Hubs.Server.Auth;
using Hubs.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Hubs.Tests.Observability;

/// <summary>How <c>/metrics</c> is exposed: path, port restriction, admin role, switched off, bad settings.</summary>
public sealed class MetricsExposureTests
{
    [Fact]
    public async Task WithAPortSetTheScrapeEndpointAnswersOnlyOnThatLocalPort()
    {
        await using var app = HubsApplication.With(new Dictionary<string, string?>
        {
            ["Metrics:Port"] = "9464",
            ["Metrics:Path"] = "/internal/metrics",
        });

        var publicPort = await GetOnPortAsync(app, "/internal/metrics", 8080);
        var defaultPath = await GetOnPortAsync(app, "/metrics", 9464);
        var metricsPort = await GetOnPortAsync(app, "/internal/metrics", 9464);

        Assert.Equal(StatusCodes.Status404NotFound, publicPort.Response.StatusCode);
        Assert.Equal(StatusCodes.Status404NotFound, defaultPath.Response.StatusCode);
        Assert.Equal(StatusCodes.Status200OK, metricsPort.Response.StatusCode);
        Assert.Contains("realtimehubs_users_online", await new StreamReader(metricsPort.Response.Body).ReadToEndAsync(), StringComparison.Ordinal);
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
    [InlineData("Metrics:Port", "0")]
    public void AnInvalidMetricsSettingFailsStartNamingTheKey(string key, string value)
    {
        using var app = HubsApplication.With(new Dictionary<string, string?> { [key] = value });

        var error = Assert.ThrowsAny<OptionsValidationException>(() => app.Server);

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    /// <summary>A request as if it had arrived on Kestrel's <paramref name="localPort"/>.</summary>
    private static Task<HttpContext> GetOnPortAsync(HubsApplication app, string path, int localPort) =>
        app.Server.SendAsync(context =>
        {
            context.Request.Method = HttpMethods.Get;
            context.Request.Path = path;
            context.Connection.LocalPort = localPort;
        });

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
