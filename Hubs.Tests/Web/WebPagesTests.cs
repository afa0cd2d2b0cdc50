using System.Net;
using Hubs.Tests.Infrastructure;

namespace Hubs.Tests.Web;

/// <summary>The pages and their scripts (built from clients/js by the Hubs.Server build) are served.</summary>
public sealed class WebPagesTests(HubsApplication app) : IClassFixture<HubsApplication>
{
    [Fact]
    public async Task ChatPageIsServedAtTheRootWithItsBuiltScript()
    {
        using var http = app.CreateClient();

        var page = await http.GetAsync(new Uri("/", UriKind.Relative));
        var script = await http.GetAsync(new Uri("/js/chat.js", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("src=\"/js/chat.js\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.Contains("/hubs/chat", await script.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("no-cache", script.Headers.CacheControl?.ToString());
    }

    [Fact]
    public async Task AdminDashboardIsServedAtAdminWithItsBuiltScript()
    {
        using var http = app.CreateClient(new() { AllowAutoRedirect = false });

        var redirect = await http.GetAsync(new Uri("/admin", UriKind.Relative));
        var page = await http.GetAsync(new Uri("/admin/", UriKind.Relative));
        var script = await http.GetAsync(new Uri("/js/admin.js", UriKind.Relative));

        Assert.Equal(HttpStatusCode.MovedPermanently, redirect.StatusCode);
        Assert.EndsWith("/admin/", redirect.Headers.Location?.OriginalString, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("src=\"/js/admin.js\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Contains("/hubs/notifications", await script.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
