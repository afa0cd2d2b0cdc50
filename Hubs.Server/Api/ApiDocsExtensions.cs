using Microsoft.OpenApi;

namespace Hubs.Server.Api;

public static class ApiDocsExtensions
{
    public const string DocumentPath = "/openapi/v1.json";

    /// <summary>An OpenAPI document of the REST API, with the bearer scheme its admin endpoints need.</summary>
    public static IHostApplicationBuilder AddApiDocs(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["Bearer"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "An access token; publish and admin endpoints need the 'admin' role.",
            };
            return Task.CompletedTask;
        }));
        return builder;
    }

    /// <summary>Serves <see cref="DocumentPath"/> in Development, where the dev token signer is on too.</summary>
    public static IEndpointRouteBuilder MapApiDocs(this IEndpointRouteBuilder app)
    {
        if (app.ServiceProvider.GetRequiredService<IHostEnvironment>().IsDevelopment())
        {
            app.MapOpenApi(DocumentPath).AllowAnonymous();
        }
        return app;
    }
}
