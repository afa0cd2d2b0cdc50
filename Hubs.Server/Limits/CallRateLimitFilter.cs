using Hubs.Contracts;
using Microsoft.AspNetCore.SignalR;

namespace Hubs.Server.Limits;

/// <summary>
/// A token bucket per connection: a flooding client gets a clear HubException for the calls over the limit,
/// keeps its connection, and nobody else is slowed down. A client that keeps flooding is told it is being
/// disconnected and is closed (<see cref="LimitsOptions.MaxRejectedCalls"/>).
/// </summary>
/// <remarks>Calls of methods that do not exist are counted in the same budget by <see cref="CallBudgetHubProtocol"/>.</remarks>
internal sealed class CallRateLimitFilter(TimeProvider time, ILogger<CallRateLimitFilter> logger) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var context = invocationContext.Context;
        var budget = ConnectionCallBudget.Current
            ?? throw new InvalidOperationException("Hub messages must be parsed by CallBudgetHubProtocol; AddLimits registers it.");
        switch (budget.Spend())
        {
            case CallVerdict.Refused:
                LimitsLog.RateLimited(logger, context.ConnectionId, context.UserIdentifier);
                invocationContext.ServiceProvider.GetRequiredService<Stats.HubMetrics>().CallRateLimited(invocationContext.Hub.GetType().Name, invocationContext.HubMethodName);
                throw new HubException(budget.RefusalMessage);
            case CallVerdict.Abusive:
                invocationContext.ServiceProvider.GetRequiredService<Stats.HubMetrics>().CallRateLimited(invocationContext.Hub.GetType().Name, invocationContext.HubMethodName);
                var reason = budget.CloseReason!;
                LimitsLog.ClosingFlooder(logger, invocationContext.HubMethodName);
                // Typed clients stop on this notice and do not reconnect; any further message from a client that
                // ignores it closes the connection with the same reason (CallBudgetHubProtocol). Both hubs' client
                // interfaces name it Disconnecting.
                await invocationContext.Hub.Clients.Caller.SendAsync(
                    nameof(IChatClient.Disconnecting), new DisconnectNotice(reason, time.GetUtcNow().UtcDateTime), context.ConnectionAborted);
                throw new HubException(reason);
        }
        return await next(invocationContext);
    }
}
