using Hubs.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hubs.Tests.Observability;

/// <summary>The in-memory server with the project's logs at Debug captured, scopes included.</summary>
public sealed class LoggedHubsApplication : HubsApplication
{
    public LoggedHubsApplication()
    {
    }

    private LoggedHubsApplication(IDictionary<string, string?> settings)
        : base(settings, "Development")
    {
    }

    /// <summary>With configuration overrides, as <see cref="HubsApplication.With(IDictionary{string, string?}, string)"/> (a class fixture needs the one public constructor).</summary>
    public static LoggedHubsApplication WithSettings(IDictionary<string, string?> settings) => new(settings);

    public CapturingLoggerProvider Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Logging:LogLevel:Hubs", "Debug");
        builder.ConfigureServices(services => services.AddSingleton<ILoggerProvider>(Logs));
    }
}
