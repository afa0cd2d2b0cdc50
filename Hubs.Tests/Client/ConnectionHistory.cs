using Hubs.Client;
using Hubs.Tests.Infrastructure;

namespace Hubs.Tests.Client;

/// <summary>Every connection state change a typed client reports, kept in order and streamed for waiting.</summary>
public sealed class ConnectionHistory
{
    private readonly List<ConnectionEvent> _all = [];

    public ConnectionHistory(Action<Action<ConnectionEvent>> subscribe) => subscribe(change =>
    {
        lock (_all)
        {
            _all.Add(change);
        }
        Stream.Add(change);
    });

    public EventStream<ConnectionEvent> Stream { get; } = new();

    /// <summary>Every state change so far, in order.</summary>
    public IReadOnlyList<ConnectionEvent> All
    {
        get
        {
            lock (_all)
            {
                return [.. _all];
            }
        }
    }

    /// <summary>Waits for a state change of type <typeparamref name="T"/>, skipping others.</summary>
    public async Task<T> NextAsync<T>() where T : ConnectionEvent => (T)await Stream.NextAsync(change => change is T);
}

/// <summary>Options for a client under test whose connects the test can hold or fail (<see cref="GatedTokenProvider"/>).</summary>
public static class GatedClientOptions
{
    /// <summary>Quick retries so tests spend no time in back-off; forever, so a slow restart is waited for.</summary>
    public static readonly ReconnectPolicy FastForever = new() { InitialDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(200), MaxAttempts = null };

    /// <summary>For the in-memory server.</summary>
    public static (HubClientOptions Options, GatedTokenProvider Tokens) For(HubsApplication app, string userName,
        ReconnectPolicy? policy, HubProtocolKind protocol)
    {
        var token = app.CreateToken(userName);
        return Gated(app.HubOptionsFor(userName, protocol), policy, token);
    }

    /// <summary>For a real server process, logged in through its token endpoint.</summary>
    public static async Task<(HubClientOptions Options, GatedTokenProvider Tokens)> ForAsync(ServerProcess server, string userName,
        ReconnectPolicy? policy, HubProtocolKind protocol)
    {
        var token = await KestrelClients.GetTokenAsync(server.BaseAddress, userName);
        return Gated(KestrelClients.Options(server.BaseAddress, token, protocol), policy, token);
    }

    private static (HubClientOptions, GatedTokenProvider) Gated(HubClientOptions options, ReconnectPolicy? policy, string token)
    {
        var tokens = new GatedTokenProvider(() => token);
        // The client under test installs tokens.GetTokenAsync as its token provider.
        options.Reconnect = policy ?? FastForever;
        return (options, tokens);
    }
}
