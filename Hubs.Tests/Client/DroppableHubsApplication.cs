using Hubs.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Hubs.Tests.Client;

/// <summary>The real server in memory, plus a <see cref="ConnectionDropper"/> to cut connections from the server side.</summary>
public class DroppableHubsApplication : HubsApplication
{
    public ConnectionDropper Dropper { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.Configure<HubOptions>(hub => hub.AddFilter(Dropper)));
    }
}

/// <summary>The same with a 3-message room history, to overflow it during an outage.</summary>
public sealed class ShortHistoryHubsApplication : DroppableHubsApplication
{
    public const int HistoryLength = 3;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Rooms:HistoryLength", HistoryLength.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
