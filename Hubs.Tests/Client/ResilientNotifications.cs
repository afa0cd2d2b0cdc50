using Hubs.Client;
using Hubs.Tests.Infrastructure;

namespace Hubs.Tests.Client;

/// <summary>A notification client under test with everything it reports recorded: notifications, state changes, lost topics.</summary>
public sealed class ResilientNotifications : IAsyncDisposable
{
    private readonly ConnectionHistory _states;

    public ResilientNotifications(string userName, HubClientOptions options, GatedTokenProvider tokens)
    {
        UserName = userName;
        Tokens = tokens;
        options.AccessTokenProvider = tokens.GetTokenAsync;
        Client = new NotificationClient(options);
        Client.Subscribe(Events);
        _states = new ConnectionHistory(record => Client.ConnectionChanged += record);
        Client.TopicResubscribeFailed += failed => ResubscribeFailed.Add(failed);
    }

    public string UserName { get; }

    public NotificationClient Client { get; }

    public GatedTokenProvider Tokens { get; }

    public NotificationEvents Events { get; } = new();

    public EventStream<TopicResubscribeFailedEvent> ResubscribeFailed { get; } = new();

    /// <summary>Every state change so far, in order.</summary>
    public IReadOnlyList<ConnectionEvent> History => _states.All;

    /// <summary>A started client of the in-memory server.</summary>
    public static async Task<ResilientNotifications> ConnectAsync(HubsApplication app, string userName, ReconnectPolicy? policy = null)
    {
        var (options, tokens) = GatedClientOptions.For(app, userName, policy, HubProtocolKind.Json);
        return await StartAsync(new ResilientNotifications(userName, options, tokens));
    }

    /// <summary>A started client of a real server process, logged in through its token endpoint.</summary>
    public static async Task<ResilientNotifications> ConnectAsync(ServerProcess server, string userName, ReconnectPolicy? policy = null,
        HubProtocolKind protocol = HubProtocolKind.Json)
    {
        var (options, tokens) = await GatedClientOptions.ForAsync(server, userName, policy, protocol);
        return await StartAsync(new ResilientNotifications(userName, options, tokens));
    }

    /// <summary>Waits for a state change of type <typeparamref name="T"/>, skipping others.</summary>
    public Task<T> NextStateAsync<T>() where T : ConnectionEvent => _states.NextAsync<T>();

    public ValueTask DisposeAsync() => Client.DisposeAsync();

    private static async Task<ResilientNotifications> StartAsync(ResilientNotifications session)
    {
        await session.Client.StartAsync().WaitAsync(Timeouts.Default);
        await session.NextStateAsync<ConnectedEvent>();
        return session;
    }
}
