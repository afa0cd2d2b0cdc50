using System.Net;
using Hubs.Tests.Infrastructure;

namespace Hubs.Tests.Observability;

/// <summary>
/// The in-memory server's health endpoints. Redis down → ready 503 is covered where Redis runs:
/// <c>ScaleOut/RedisStartupTests</c>, <c>ScaleOut/RedisOutageTests</c> and the cluster disruption test.
/// </summary>
public sealed class HealthEndpointTests(HubsApplication app) : IClassFixture<HubsApplication>
{
    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task HealthEndpointsAnswerHealthyWithoutAToken(string path)
    {
        using var http = app.CreateClient();

        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }
}
