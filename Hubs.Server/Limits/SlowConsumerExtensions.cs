using Hubs.Server.Lifetime;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Hubs.Server.Limits;

public static class SlowConsumerExtensions
{
    /// <summary>
    /// Every hub connection gets a bounded backlog: a client that stops reading is closed once
    /// <see cref="SlowConsumerOptions.MaxBufferedBytes"/> wait for it, instead of holding up group sends and acks.
    /// </summary>
    public static IHostApplicationBuilder AddSlowConsumerLimits(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SlowConsumerOptions>().BindConfiguration(SlowConsumerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<SlowConsumerMonitor>();
        // SignalR resolves its connection handler from DI (TryAdd), so replacing it here works before or after AddSignalR.
        builder.Services.Replace(ServiceDescriptor.Singleton(typeof(HubConnectionHandler<>), typeof(GuardedHubConnectionHandler<>)));
        // The handler also closes its connections when the server starts stopping.
        builder.Services.TryAddSingleton<ShutdownConnectionCloser>();
        return builder;
    }
}
