using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.ExceptionServices;
using Hubs.Server.Stats;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;

namespace Hubs.Server.Limits;

/// <summary>
/// Wraps the JSON or MessagePack protocol of every hub connection. Calls of methods that do not exist (or with
/// arguments that cannot be bound) never reach hub filters, so they are counted here, against the same
/// per-connection budget that <see cref="CallRateLimitFilter"/> spends for real calls. A connection marked for
/// closing is closed at its next message, with the reason in SignalR's close message. So is a connection that sends a
/// message over <see cref="HubLimitsOptions.MaximumReceiveMessageSize"/>: SignalR would close it anyway, but its own
/// close message only says "Connection closed with an error."
/// </summary>
internal sealed class CallBudgetHubProtocol(IHubProtocol inner, CallBudgets budgets, long maximumMessageSize, HubMetrics metrics, ILogger logger) : IHubProtocol
{
    public string Name => inner.Name;

    public int Version => inner.Version;

    public TransferFormat TransferFormat => inner.TransferFormat;

    public bool IsVersionSupported(int version) => inner.IsVersionSupported(version);

    public ReadOnlyMemory<byte> GetMessageBytes(HubMessage message) => inner.GetMessageBytes(message);

    public void WriteMessage(HubMessage message, IBufferWriter<byte> output) => inner.WriteMessage(message, output);

    public bool TryParseMessage(ref ReadOnlySequence<byte> input, IInvocationBinder binder, [NotNullWhen(true)] out HubMessage? message)
    {
        if (!inner.TryParseMessage(ref input, binder, out message))
        {
            // SignalR hands the parser at most the size limit; no message in that much means a larger one.
            if (input.Length >= maximumMessageSize)
            {
                LimitsLog.MessageTooLarge(logger, maximumMessageSize);
                throw new HubException($"Message too large: the limit is {maximumMessageSize} bytes per message.");
            }
            return false;
        }
        var budget = budgets.Of(binder);
        ConnectionCallBudget.Current = budget;
        // An exception here ends SignalR's receive loop; it sends a close message naming the HubException's text.
        if (budget.CloseReason is { } reason)
        {
            throw new HubException(reason);
        }
        if (!BypassesHubFilters(message))
        {
            return true;
        }
        switch (budget.Spend())
        {
            case CallVerdict.Refused:
                LimitsLog.UnboundCallRateLimited(logger, Target(message));
                metrics.CallRateLimited(HubName(binder), HubMetrics.UnboundMethod);
                message = Refuse(message, budget.RefusalMessage);
                break;
            case CallVerdict.Abusive:
                LimitsLog.ClosingFlooder(logger, Target(message));
                metrics.CallRateLimited(HubName(binder), HubMetrics.UnboundMethod);
                throw new HubException(budget.CloseReason);
        }
        return true;
    }

    /// <summary>Messages that cost the server work but are never seen by hub filters.</summary>
    private static bool BypassesHubFilters(HubMessage message) =>
        message is InvocationBindingFailureMessage or StreamBindingFailureMessage or StreamItemMessage or CancelInvocationMessage;

    private static HubMessage Refuse(HubMessage message, string refusal) => message switch
    {
        // The caller gets the refusal as the call's error, like a refused call of a real method.
        InvocationBindingFailureMessage failure => new InvocationBindingFailureMessage(
            failure.InvocationId, failure.Target, ExceptionDispatchInfo.Capture(new HubException(refusal))),
        // Nothing to answer: replaced by a message SignalR handles at no cost.
        _ => PingMessage.Instance,
    };

    /// <summary>SignalR binds each connection's messages with a binder generic in the connection's hub type.</summary>
    private static string HubName(IInvocationBinder binder) =>
        binder.GetType() is { IsGenericType: true } type ? type.GetGenericArguments()[0].Name : "unknown";

    private static string Target(HubMessage message) =>
        (message as InvocationBindingFailureMessage)?.Target ?? message.GetType().Name;
}
