using Hubs.Contracts;
using Microsoft.AspNetCore.SignalR;

namespace Hubs.Server.Stats;

/// <summary>Counts chat sends that the hub accepted, without the chat hub having to know about statistics.</summary>
/// <remarks>A de-duplicated re-send (same clientMessageId) is counted again: the filter only sees a successful call.</remarks>
internal sealed class MessageCountingFilter(HubMetrics metrics) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var result = await next(invocationContext);
        var kind = invocationContext.HubMethodName switch
        {
            nameof(IChatHub.SendMessage) => "global",
            nameof(IChatHub.SendRoomMessage) => "room",
            nameof(IChatHub.SendDirectMessage) => "direct",
            _ => null,
        };
        if (kind is not null)
        {
            metrics.MessageAccepted(kind);
        }
        return result;
    }
}
