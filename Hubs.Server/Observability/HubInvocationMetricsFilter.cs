using Hubs.Server.Stats;
using Microsoft.AspNetCore.SignalR;

namespace Hubs.Server.Observability;

/// <summary>
/// Counts every hub call by hub, method and outcome. Registered before the limit filters, so calls they refuse
/// (rate limit, validation) are counted as <c>rejected</c> too.
/// </summary>
/// <remarks>Calls to methods that do not exist never reach hub filters and are not counted here.</remarks>
internal sealed class HubInvocationMetricsFilter(HubMetrics metrics) : IHubFilter
{
    public const string Ok = "ok";
    public const string Rejected = "rejected";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var outcome = Failed;
        try
        {
            var result = await next(invocationContext);
            outcome = Ok;
            return result;
        }
        catch (HubException)
        {
            outcome = Rejected;
            throw;
        }
        catch (OperationCanceledException)
        {
            outcome = Cancelled;
            throw;
        }
        finally
        {
            metrics.InvocationCompleted(invocationContext.Hub.GetType().Name, invocationContext.HubMethodName, outcome);
        }
    }
}
