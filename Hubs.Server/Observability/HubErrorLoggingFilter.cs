using Microsoft.AspNetCore.SignalR;

namespace Hubs.Server.Observability;

/// <summary>
/// Logs failed hub calls at a level that matches their cause: a rejected request (HubException, the
/// caller's mistake) at Debug, anything else at Error. SignalR's own dispatcher logs every failure at
/// Error, so its category is silenced in appsettings.json and this filter speaks for it.
/// </summary>
internal sealed class HubErrorLoggingFilter(ILogger<HubErrorLoggingFilter> logger) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(invocationContext);
        }
        catch (HubException ex)
        {
            HubLog.CallRejected(logger, invocationContext.HubMethodName, invocationContext.Context.UserIdentifier, ex.Message);
            throw;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            HubLog.CallFailed(logger, invocationContext.HubMethodName, invocationContext.Context.UserIdentifier, ex);
            throw;
        }
    }
}
