using System.Text;
using Microsoft.Extensions.Options;

namespace Hubs.Server.Auth;

/// <summary>Fails start-up with a message naming the key when the auth configuration is unsafe or incomplete.</summary>
internal sealed class AuthOptionsValidator(IHostEnvironment environment) : IValidateOptions<AuthOptions>
{
    private const int MinimumKeyBytes = 32;

    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var failures = new List<string>();
        var hasKey = !string.IsNullOrEmpty(options.SigningKey);

        if (!hasKey && string.IsNullOrEmpty(options.Authority))
        {
            failures.Add("Auth:SigningKey or Auth:Authority must be set.");
        }
        if (hasKey && Encoding.UTF8.GetByteCount(options.SigningKey!) < MinimumKeyBytes)
        {
            failures.Add($"Auth:SigningKey must be at least {MinimumKeyBytes} bytes.");
        }
        if (hasKey && !environment.IsDevelopment()
            && options.SigningKey!.StartsWith(AuthOptions.DevelopmentKeyMarker, StringComparison.Ordinal))
        {
            failures.Add($"Auth:SigningKey is the development key; set a secret key for the {environment.EnvironmentName} environment.");
        }
        else if (hasKey && !environment.IsDevelopment() && SigningKeyStrength.Weakness(options.SigningKey!) is { } weakness)
        {
            failures.Add($"Auth:SigningKey {weakness}; set a random secret (e.g. openssl rand -base64 48) for the {environment.EnvironmentName} environment.");
        }
        if (options.DevTokens.Enabled && !hasKey)
        {
            failures.Add("Auth:DevTokens:Enabled needs Auth:SigningKey to sign tokens.");
        }
        if (options.DevTokens.Lifetime <= TimeSpan.Zero)
        {
            failures.Add("Auth:DevTokens:Lifetime must be positive.");
        }
        if (string.IsNullOrWhiteSpace(options.Issuer) || string.IsNullOrWhiteSpace(options.Audience))
        {
            failures.Add("Auth:Issuer and Auth:Audience must not be empty.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
