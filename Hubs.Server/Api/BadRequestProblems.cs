using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Hubs.Server.Api;

/// <summary>
/// A REST body the endpoints cannot even read (malformed JSON, a number where a string belongs) gets the same
/// <c>application/problem+json</c> validation answer as a body that reads but breaks a rule, naming the field.
/// Left alone, minimal APIs answer an empty 400 in Production and the developer exception page (request headers,
/// bearer token included) in Development.
/// </summary>
internal static class BadRequestProblems
{
    public static IHostApplicationBuilder AddBadRequestProblems(this IHostApplicationBuilder builder)
    {
        // Binding failures then surface as BadHttpRequestException in every environment, for the middleware below.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        return builder;
    }

    public static IApplicationBuilder UseBadRequestProblems(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (BadHttpRequestException bad) when (!context.Response.HasStarted)
            {
                context.Response.Clear();
                await ToProblem(bad).ExecuteAsync(context);
            }
        });

    private static ProblemHttpResult ToProblem(BadHttpRequestException bad)
    {
        var (field, message) = bad.InnerException is JsonException json && FieldOf(json.Path) is { } named
            ? (named, $"'{named}' is not valid here: the wrong JSON type, or malformed JSON.")
            : ("request", bad.InnerException is JsonException ? "The body is not valid JSON." : bad.Message);
        return TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = bad.StatusCode,
        });
    }

    /// <summary>The field a JSON path like <c>$.title</c> names; <c>null</c> for the whole body.</summary>
    private static string? FieldOf(string? path) =>
        path is null || path == "$" || !path.StartsWith("$.", StringComparison.Ordinal) ? null : path[2..];
}
