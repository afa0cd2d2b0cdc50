using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Hubs.Tests.Infrastructure;

/// <summary>The in-memory server on a clock the test moves, for timers such as the stats stream.</summary>
/// <remarks>Starts at the real time so tokens and ids look ordinary; only <see cref="Clock"/>.Advance moves it.</remarks>
public sealed class FakeClockApplication : HubsApplication
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }
}
