using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Hubs.Server.Limits;

/// <summary>
/// Browsers send an Origin header, including on WebSocket upgrades, which CORS does not cover.
/// A hub request from a page on a foreign origin is refused with 403 unless that origin is allowed.
/// </summary>
internal sealed class OriginCheckMiddleware(RequestDelegate next, IOptionsMonitor<OriginOptions> options, ILogger<OriginCheckMiddleware> logger)
{
    public Task InvokeAsync(HttpContext context)
    {
        var origin = context.Request.Headers[HeaderNames.Origin].ToString();
        if (origin.Length == 0 || IsAllowed(origin, context.Request, options.CurrentValue.AllowedOrigins))
        {
            return next(context);
        }
        LimitsLog.OriginRefused(logger, context.Request.Path, origin);
        context.RequestServices.GetRequiredService<Stats.HubMetrics>().ConnectionRejected(Stats.HubMetrics.RejectedOrigin);
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        return Task.CompletedTask;
    }

    internal static bool IsAllowed(string origin, HttpRequest request, IReadOnlyCollection<string> allowed)
    {
        if (allowed.Contains("*") || allowed.Contains(origin, StringComparer.OrdinalIgnoreCase))
        {
            return true;
        }
        // Same origin: the page was served by this server (or by the proxy in front of it).
        return Uri.TryCreate(origin, UriKind.Absolute, out var uri)
            && string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }
}
