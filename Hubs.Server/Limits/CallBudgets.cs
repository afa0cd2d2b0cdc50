using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Hubs.Server.Limits;

/// <summary>The budget of each connection, keyed by SignalR's per-connection invocation binder.</summary>
internal sealed class CallBudgets(IOptions<LimitsOptions> options, TimeProvider time)
{
    // Weak keys: an entry goes when its connection's binder does, with no clean-up hook needed.
    private readonly ConditionalWeakTable<IInvocationBinder, ConnectionCallBudget> _byBinder = new();

    public ConnectionCallBudget Of(IInvocationBinder binder) => _byBinder.GetValue(binder, _ => Create());

    public ConnectionCallBudget Create() => new(options.Value, time);
}
