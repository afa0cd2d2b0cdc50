using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.Options;

namespace Hubs.Server.Limits;

/// <summary>Hands out the protocols wrapped in <see cref="CallBudgetHubProtocol"/> to hub connections.</summary>
internal sealed class CallBudgetProtocolResolver : IHubProtocolResolver
{
    private readonly Dictionary<string, IHubProtocol> _wrapped = new(StringComparer.OrdinalIgnoreCase);

    public CallBudgetProtocolResolver(IEnumerable<IHubProtocol> protocols, CallBudgets budgets, IOptions<HubLimitsOptions> limits,
        Stats.HubMetrics metrics, ILogger<CallBudgetHubProtocol> logger)
    {
        AllProtocols = [.. protocols];
        foreach (var protocol in AllProtocols)
        {
            _wrapped[protocol.Name] = new CallBudgetHubProtocol(protocol, budgets, limits.Value.MaximumReceiveMessageSize, metrics, logger);
        }
    }

    /// <summary>The plain protocols: server-side users (the scale-out backplane) parse their own traffic, which is not a client's.</summary>
    public IReadOnlyList<IHubProtocol> AllProtocols { get; }

    /// <summary>Called once per connection, at the handshake: the protocol that connection's messages are parsed with.</summary>
    public IHubProtocol? GetProtocol(string protocolName, IReadOnlyList<string>? supportedProtocols) =>
        _wrapped.TryGetValue(protocolName, out var protocol)
            && (supportedProtocols is null || supportedProtocols.Contains(protocolName, StringComparer.OrdinalIgnoreCase))
            ? protocol
            : null;
}
