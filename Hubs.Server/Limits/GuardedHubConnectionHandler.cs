using System.Diagnostics.CodeAnalysis;
using Hubs.Server.Lifetime;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Abstractions;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Hubs.Server.Limits;

/// <summary>
/// SignalR's own connection handler, with a <see cref="SlowConsumerGuard"/> between each connection and its transport,
/// each connection's <see cref="ConnectionSlot"/> claimed on arrival, and each connection closed on purpose when the
/// server starts stopping (<see cref="ShutdownConnectionCloser"/>).
/// </summary>
internal sealed class GuardedHubConnectionHandler<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors | DynamicallyAccessedMemberTypes.PublicMethods)] THub>(
    HubLifetimeManager<THub> lifetimeManager,
    IHubProtocolResolver protocolResolver,
    IOptions<HubOptions> globalHubOptions,
    IOptions<HubOptions<THub>> hubOptions,
    ILoggerFactory loggerFactory,
    IUserIdProvider userIdProvider,
    IServiceScopeFactory serviceScopeFactory,
    SlowConsumerMonitor monitor,
    IOptions<SlowConsumerOptions> options,
    ConnectionSlots slots,
    ShutdownConnectionCloser shutdownCloser)
    : HubConnectionHandler<THub>(
        lifetimeManager,
        protocolResolver,
        WithStatefulBufferAboveLimit(globalHubOptions, options),
        WithStatefulBufferAboveLimit(hubOptions, options),
        loggerFactory,
        userIdProvider,
        serviceScopeFactory)
    where THub : Hub
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<SlowConsumerGuard>();

    /// <summary>
    /// What can sit between the guard and a client that stopped reading, already handed on by the guard but not
    /// acknowledged: SignalR's transport pipe, Kestrel's output buffer, and the kernel's send and receive buffers,
    /// which Linux grows up to <c>tcp_wmem</c> and <c>tcp_rmem</c>'s maxima (4 MiB and 6 MiB by default).
    /// </summary>
    private const int HandedOnAllowance = 16 * 1024 * 1024;

    /// <summary>
    /// Stateful reconnect keeps unacknowledged messages above the guard and makes writes wait once its buffer is
    /// full; a client that stops reading never acks, so that buffer must hold everything handed on below the guard
    /// plus the guard's own limit, or it fills first: the room's sends then wait on the stuck client until SignalR
    /// gives up on it, seconds later. It is a cap, not an allocation, and mostly holds references to messages that
    /// every member shares. Set here because SignalR reads the per-hub copy when a hub has its own options, and that
    /// copy does not take this value from the global options.
    /// </summary>
    private static IOptions<T> WithStatefulBufferAboveLimit<T>(IOptions<T> hub, IOptions<SlowConsumerOptions> slow)
        where T : HubOptions
    {
        if (slow.Value.Enabled)
        {
            hub.Value.StatefulReconnectBufferSize = Math.Max(
                hub.Value.StatefulReconnectBufferSize, 2L * slow.Value.MaxBufferedBytes + HandedOnAllowance);
        }
        return hub;
    }

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        // Before the handshake is answered, so connections are counted in the order their clients saw them start
        // (see ConnectionSlots); ConnectionLimitFilter closes a refused one with the reason. Released when the
        // connection ends, including when it never completes the handshake.
        using var slot = slots.Claim(connection);
        // Every hub connection passes here, guarded or not, so this is where each one learns the server is stopping.
        using var closeWhenStopping = shutdownCloser.CloseWhenStopping(connection);
        await OnConnectedGuardedAsync(connection);
    }

    private async Task OnConnectedGuardedAsync(ConnectionContext connection)
    {
        var settings = options.Value;
        if (!settings.Enabled)
        {
            await base.OnConnectedAsync(connection);
            return;
        }
        var guard = new SlowConsumerGuard(connection, connection.Transport.Output, settings.MaxBufferedBytes, monitor, _logger);
        guard.Attach();
        monitor.Track(connection.ConnectionId, guard);
#pragma warning disable CA2252 // Preview feature: see GuardedReconnectFeature's remarks.
        if (connection.Features.Get<IStatefulReconnectFeature>() is { } reconnect)
        {
            // After a stateful reconnect SignalR writes to the new transport's writer; it gets a guard of its own.
            connection.Features.Set<IStatefulReconnectFeature>(new GuardedReconnectFeature(reconnect, transportOutput =>
            {
                var next = new SlowConsumerGuard(connection, transportOutput, settings.MaxBufferedBytes, monitor, _logger, armed: false);
                Interlocked.Exchange(ref guard, next).Retire();
                if (!connection.ConnectionClosed.IsCancellationRequested)
                {
                    monitor.Track(connection.ConnectionId, next);
                }
                return next;
            }));
        }
#pragma warning restore CA2252
        try
        {
            await base.OnConnectedAsync(connection);
        }
        finally
        {
            monitor.Forget(connection.ConnectionId);
            await Volatile.Read(ref guard).CloseAsync(settings.DrainTimeout);
        }
    }
}
