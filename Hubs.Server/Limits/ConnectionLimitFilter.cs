using Microsoft.AspNetCore.SignalR;

namespace Hubs.Server.Limits;

/// <summary>
/// Closes a connection that <see cref="ConnectionSlots"/> refused when it arrived (beyond
/// <see cref="LimitsOptions.MaxConnectionsPerInstance"/> on this instance, or beyond
/// <see cref="LimitsOptions.MaxConnectionsPerUser"/> of one user on this instance), with the reason.
/// </summary>
/// <remarks>
/// The slot is claimed by <see cref="GuardedHubConnectionHandler{THub}"/> before the handshake and released when
/// the connection ends; this filter only delivers the refusal, as a hub filter is where SignalR closes a
/// connection with a message the client reports.
/// </remarks>
internal sealed class ConnectionLimitFilter(ILogger<ConnectionLimitFilter> logger) : IHubFilter
{
    public Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        var slot = context.Context.Features.Get<ConnectionSlot>()
            ?? throw new InvalidOperationException("Hub connections must claim a ConnectionSlot on arrival; AddSlowConsumerLimits registers the handler that does.");
        switch (slot.Refusal)
        {
            case null:
                return next(context);
            case ConnectionRefusal.InstanceFull:
                LimitsLog.InstanceFull(logger, slot.Limit);
                context.ServiceProvider.GetRequiredService<Stats.HubMetrics>().ConnectionRejected(Stats.HubMetrics.RejectedInstanceConnectionLimit);
                throw new HubException($"Too many connections: this server already holds {slot.Limit}, its limit. Try again later.");
            default:
                LimitsLog.TooManyConnections(logger, slot.User!, slot.Limit);
                context.ServiceProvider.GetRequiredService<Stats.HubMetrics>().ConnectionRejected(Stats.HubMetrics.RejectedUserConnectionLimit);
                throw new HubException($"Too many connections: user '{slot.User}' already has {slot.Limit} open, the limit.");
        }
    }
}
