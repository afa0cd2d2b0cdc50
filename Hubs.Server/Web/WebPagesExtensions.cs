using Microsoft.Net.Http.Headers;

namespace Hubs.Server.Web;

public static class WebPagesExtensions
{
    /// <summary>
    /// Serves the pages in wwwroot: the chat page at <c>/</c> and the admin dashboard at <c>/admin/</c>. Their scripts
    /// are built from clients/js by the Hubs.Server build (Web/WebClient.targets). The pages are public; what they
    /// show comes from the hubs and APIs, which check the signed-in user's token.
    /// </summary>
    public static WebApplication MapWebPages(this WebApplication app)
    {
        app.UseDefaultFiles();
        app.UseStaticFiles(new StaticFileOptions
        {
            // Same URLs across builds, so browsers must check for a newer script (cheap: ETag → 304).
            OnPrepareResponse = context => context.Context.Response.Headers[HeaderNames.CacheControl] = "no-cache",
        });
        return app;
    }
}
