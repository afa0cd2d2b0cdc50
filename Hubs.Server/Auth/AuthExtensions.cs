using Hubs.Contracts;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Hubs.Server.Auth;

public static class AuthExtensions
{
    public static IHostApplicationBuilder AddAuth(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        builder.Services.AddSingleton<DevTokenIssuer>();
        builder.Services.AddSingleton<IUserIdProvider, SubjectUserIdProvider>();

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthOptions>>((jwt, auth) => ConfigureJwt(jwt, auth.Value));
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(HubClaims.AdminRole, policy => policy.RequireRole(HubClaims.AdminRole));
        return builder;
    }

    public static IEndpointRouteBuilder MapAuth(this IEndpointRouteBuilder app)
    {
        if (app.ServiceProvider.GetRequiredService<IOptions<AuthOptions>>().Value.DevTokens.Enabled)
        {
            app.MapPost(ApiRoutes.Token, TokenEndpoints.IssueToken).AllowAnonymous().WithName("IssueDevToken");
        }
        return app;
    }

    private static void ConfigureJwt(JwtBearerOptions jwt, AuthOptions auth)
    {
        jwt.MapInboundClaims = false;
        jwt.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = auth.Issuer,
            ValidAudience = auth.Audience,
            NameClaimType = HubClaims.Name,
            RoleClaimType = HubClaims.Role,
            ClockSkew = TimeSpan.FromSeconds(30),
        };
        if (!string.IsNullOrEmpty(auth.Authority))
        {
            jwt.Authority = auth.Authority;
            jwt.Audience = auth.Audience;
        }
        else
        {
            jwt.TokenValidationParameters.IssuerSigningKey = DevTokenIssuer.CreateKey(auth);
        }

        // Browsers cannot set headers on WebSocket or EventSource requests, so hubs also accept ?access_token=.
        jwt.Events = new JwtBearerEvents
        {
            OnMessageReceived = context =>
            {
                var token = context.Request.Query["access_token"];
                if (!string.IsNullOrEmpty(token) && context.HttpContext.Request.Path.StartsWithSegments(HubRoutes.Prefix))
                {
                    context.Token = token;
                }
                return Task.CompletedTask;
            },
            OnTokenValidated = context =>
            {
                // Expiry (for CloseOnAuthenticationExpiration) is already in context.Properties; only claims are dropped.
                context.Principal = HubClaims.Slim(context.Principal!);
                return Task.CompletedTask;
            },
        };
    }
}
