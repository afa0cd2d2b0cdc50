using Hubs.Client;
using Hubs.Tests.Infrastructure;

namespace Hubs.Tests.Client;

/// <summary>A chat client under test with everything it reports recorded: hub events, state changes, room recoveries.</summary>
public sealed class ResilientChat : IAsyncDisposable
{
    /// <summary>Quick retries so tests spend no time in back-off; forever, so a slow restart is waited for.</summary>
    public static readonly ReconnectPolicy FastForever = GatedClientOptions.FastForever;

    private readonly ConnectionHistory _states;

    public ResilientChat(string userName, HubClientOptions options, GatedTokenProvider tokens)
    {
        UserName = userName;
        Tokens = tokens;
        options.AccessTokenProvider = tokens.GetTokenAsync;
        Client = new ChatClient(options);
        Client.Subscribe(Events);
        _states = new ConnectionHistory(record => Client.ConnectionChanged += record);
        Client.RoomRejoined += rejoined => Rejoined.Add(rejoined);
        Client.RoomRejoinFailed += failed => RejoinFailed.Add(failed);
    }

    public string UserName { get; }

    public ChatClient Client { get; }

    public GatedTokenProvider Tokens { get; }

    public ChatEvents Events { get; } = new();

    public EventStream<ConnectionEvent> States => _states.Stream;

    public EventStream<RoomRejoinedEvent> Rejoined { get; } = new();

    public EventStream<RoomRejoinFailedEvent> RejoinFailed { get; } = new();

    /// <summary>Every state change so far, in order.</summary>
    public IReadOnlyList<ConnectionEvent> History => _states.All;

    /// <summary>A started client of the in-memory server.</summary>
    public static async Task<ResilientChat> ConnectAsync(HubsApplication app, string userName, ReconnectPolicy? policy = null,
        Hubs.Client.HubProtocolKind protocol = Hubs.Client.HubProtocolKind.Json)
    {
        var (options, tokens) = GatedClientOptions.For(app, userName, policy, protocol);
        var chat = new ResilientChat(userName, options, tokens);
        await chat.StartAsync();
        return chat;
    }

    /// <summary>A started client of a real server process, logged in through its token endpoint.</summary>
    public static async Task<ResilientChat> ConnectAsync(ServerProcess server, string userName, ReconnectPolicy? policy = null,
        Hubs.Client.HubProtocolKind protocol = Hubs.Client.HubProtocolKind.Json)
    {
        var (options, tokens) = await GatedClientOptions.ForAsync(server, userName, policy, protocol);
        var chat = new ResilientChat(userName, options, tokens);
        await chat.StartAsync();
        return chat;
    }

    public async Task StartAsync()
    {
        await Client.StartAsync().WaitAsync(Timeouts.Default);
        await Events.Welcome.NextAsync();
        await States.NextAsync(change => change is ConnectedEvent);
    }

    /// <summary>Waits for a state change of type <typeparamref name="T"/>, skipping others.</summary>
    public Task<T> NextStateAsync<T>() where T : ConnectionEvent => _states.NextAsync<T>();

    public ValueTask DisposeAsync() => Client.DisposeAsync();
}
