using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Hubs.Server.Limits;

/// <summary>SignalR's own connection handler, with a <see cref="SlowConsumerGuard"/> between each connection and its transport.</summary>
internal sealed class GuardedHubConnectionHandler<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicMethods)] THub>(
    HubLifetimeManager<THub> lifetimeManager,
    IHubProtocolResolver protocolResolver,
    IOptions<HubOptions> globalHubOptions,
    IOptions<HubOptions<THub>> hubOptions,
    ILoggerFactory loggerFactory,
    IUserIdProvider userIdProvider,
    IServiceScopeFactory serviceScopeFactory,
    SlowConsumerMonitor monitor,
    IOptions<SlowConsumerOptions> options)
    : HubConnectionHandler<THub>(lifetimeManager, protocolResolver, globalHubOptions, hubOptions, loggerFactory, userIdProvider, serviceScopeFactory)
    where THub : Hub
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<SlowConsumerGuard>();

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            await base.OnConnectedAsync(connection);
            return;
        }
        var guard = new SlowConsumerGuard(connection, settings.MaxBufferedBytes, monitor, _logger);
        guard.Attach();
        monitor.Track(connection.ConnectionId, guard);
        try
        {
            await base.OnConnectedAsync(connection);
        }
        finally
        {
            monitor.Forget(connection.ConnectionId);
            await guard.CloseAsync(settings.DrainTimeout);
        }
    }
}
