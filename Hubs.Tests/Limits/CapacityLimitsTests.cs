using System.Text.Json;
using Hubs.Client;
using Hubs.Contracts;
using Hubs.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Hubs.Tests.Limits;

public sealed class RoomLimitFixture : IAsyncLifetime
{
    public HubsApplication App { get; } = HubsApplication.With(new Dictionary<string, string?> { ["Limits:MaxRoomsPerConnection"] = "2" });

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => App.DisposeAsync().AsTask();
}

/// <summary>Rooms per connection (2 here) and the message size limit (the default 32 KiB).</summary>
public sealed class RoomAndSizeLimitTests(RoomLimitFixture fixture) : IClassFixture<RoomLimitFixture>
{
    private HubsApplication App => fixture.App;

    [Fact]
    public async Task JoiningOneRoomOverTheLimitFailsWithAHubExceptionAndNothingElseChanges()
    {
        var (first, second, third) = (Names.Room(), Names.Room(), Names.Room());
        await using var alice = await App.ConnectChatAsync(Names.User("alice"));
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(first));
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(second));

        var error = await Assert.ThrowsAsync<HubException>(() => alice.Client.JoinRoomAsync(new JoinRoomRequest(third)));
        var again = await alice.Client.JoinRoomAsync(new JoinRoomRequest(first));
        var ack = await alice.Client.SendRoomMessageAsync(new SendRoomMessageRequest(second, "still in here"));
        var thirdMembers = await alice.Client.GetRoomMembersAsync(new GetRoomMembersRequest(third));

        Assert.EndsWith("Too many rooms: this connection is already in 2 rooms, the limit. Leave one before joining another.", error.Message, StringComparison.Ordinal);
        Assert.Equal(first, again.Room);
        Assert.Equal(ack.Id, (await alice.Events.RoomMessages.NextAsync(m => m.Id == ack.Id)).Id);
        Assert.Empty(thirdMembers);
        Assert.Equal(HubConnectionState.Connected, alice.Client.State);
    }

    [Fact]
    public async Task LeavingARoomFreesItsPlace()
    {
        var (first, second, third) = (Names.Room(), Names.Room(), Names.Room());
        await using var alice = await App.ConnectChatAsync(Names.User("alice"));
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(first));
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(second));

        await alice.Client.LeaveRoomAsync(new LeaveRoomRequest(first));
        var joined = await alice.Client.JoinRoomAsync(new JoinRoomRequest(third));

        Assert.Equal(third, joined.Room);
    }

    [Fact]
    public async Task TheLimitIsPerConnectionSoAnotherTabOfTheSameUserMayJoin()
    {
        var name = Names.User("tabs");
        await using var firstTab = await App.ConnectChatAsync(name);
        await using var secondTab = await App.ConnectChatAsync(name);
        await firstTab.Client.JoinRoomAsync(new JoinRoomRequest(Names.Room()));
        await firstTab.Client.JoinRoomAsync(new JoinRoomRequest(Names.Room()));

        var joined = await secondTab.Client.JoinRoomAsync(new JoinRoomRequest(Names.Room()));

        Assert.Single(joined.Members);
    }

    [Fact]
    public async Task ARoomAnAdministratorTookTheUserOutOfNoLongerCounts()
    {
        var name = Names.User("removed");
        var (first, second) = (Names.Room(), Names.Room());
        await using var alice = await App.ConnectChatAsync(name);
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(first));
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(second));
        using var admin = App.AdminHttpClient();

        using var removal = await admin.DeleteAsync(ApiRoutes.AdminRoomMemberOf(first, name));
        var joined = await alice.Client.JoinRoomAsync(new JoinRoomRequest(Names.Room()));

        removal.EnsureSuccessStatusCode();
        Assert.Single(joined.Members);
    }

    [Theory]
    [InlineData("json")]
    [InlineData("messagepack")]
    public async Task AMessageOverTheSizeLimitClosesTheConnectionSayingWhy(string protocol)
    {
        await using var bystander = await App.ConnectChatAsync(Names.User("bystander"));
        await using var raw = await RawHubSocket.ConnectAsync(App, Names.User("big"), protocol);
        var text = new string('x', 40_000);

        if (protocol == "json")
        {
            await raw.SendJsonAsync($$"""{"type":1,"invocationId":"1","target":"SendMessage","arguments":[{"text":"{{text}}"}]}""");
        }
        else
        {
            await raw.SendMessagePackAsync([1, new Dictionary<string, string>(), "1", "SendMessage", new object[] { new Dictionary<string, string> { ["text"] = text } }]);
        }
        var error = await CloseErrorAsync(raw, protocol == "json");
        var ack = await bystander.Client.SendMessageAsync(new SendMessageRequest("small and fine"));

        Assert.Equal("Connection closed with an error. HubException: Message too large: the limit is 32768 bytes per message.", error);
        Assert.Equal(ack.Id, (await bystander.Events.Messages.NextAsync(m => m.Id == ack.Id)).Id);
    }

    /// <summary>Reads up to the close message (type 7) and returns its error.</summary>
    private static async Task<string?> CloseErrorAsync(RawHubSocket raw, bool json)
    {
        while (true)
        {
            var bytes = await raw.NextMessageAsync();
            if (json)
            {
                using var message = JsonDocument.Parse(bytes);
                if (message.RootElement.GetProperty("type").GetInt32() == 7)
                {
                    return message.RootElement.GetProperty("error").GetString();
                }
                continue;
            }
            var fields = MessagePack.MessagePackSerializer.Deserialize<object?[]>(bytes, MessagePack.Resolvers.ContractlessStandardResolver.Options);
            if (Convert.ToInt32(fields[0], System.Globalization.CultureInfo.InvariantCulture) == 7)
            {
                return (string?)fields[1];
            }
        }
    }
}

/// <summary>Connections per instance (2 here): any user's connection beyond that is closed with the reason.</summary>
public sealed class InstanceLimitTests : IAsyncLifetime
{
    private readonly HubsApplication _app = HubsApplication.With(new Dictionary<string, string?> { ["Limits:MaxConnectionsPerInstance"] = "2" });

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _app.DisposeAsync().AsTask();

    [Fact]
    public async Task AConnectionBeyondTheInstanceLimitIsClosedWithTheReasonAndAFreedSlotCanBeReused()
    {
        await using var first = await _app.ConnectChatAsync(Names.User("first"));
        var second = await _app.ConnectNotificationsAsync(Names.User("second"));

        using var http = _app.CreateClient();
        var rejectedBefore = (await PrometheusText.ScrapeAsync(http)).ValueOrZero(InstanceLimitRejections, InstanceLimitReason);
        await using var third = HubConnectionFactory.Create(_app.HubOptionsFor(Names.User("third")), HubRoutes.Chat);
        var closed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        third.Closed += error => Task.FromResult(closed.TrySetResult(error));
        await third.StartAsync();
        var closeError = await closed.Task.WaitAsync(Timeouts.Default);
        var rejectedAfter = (await PrometheusText.ScrapeAsync(http)).ValueOrZero(InstanceLimitRejections, InstanceLimitReason);
        await second.DisposeAsync();
        await using var replacement = await _app.ConnectChatWhenFreedAsync(Names.User("fourth"));

        Assert.Contains("Too many connections: this server already holds 2, its limit. Try again later.", closeError?.Message, StringComparison.Ordinal);
        Assert.Equal(HubConnectionState.Connected, replacement.Client.State);
        Assert.Equal(HubConnectionState.Connected, first.Client.State);
        Assert.Equal(1, rejectedAfter - rejectedBefore);
    }

    private const string InstanceLimitRejections = "realtimehubs_connections_rejected_total";

    private static readonly (string, string) InstanceLimitReason = ("reason", Hubs.Server.Stats.HubMetrics.RejectedInstanceConnectionLimit);
}

/// <summary>
/// The real server with one connection per user, and a chat lifetime manager that can hold one connection's setup
/// after its handshake has been answered: the window a cold server has while it first builds the hub's services.
/// </summary>
public sealed class SlowSetupHubsApplication() : HubsApplication(new Dictionary<string, string?> { ["Limits:MaxConnectionsPerUser"] = "1" }, "Development")
{
    public HeldConnectLifetimeManager Lifetime => (HeldConnectLifetimeManager)Services.GetRequiredService<HubLifetimeManager<Hubs.Server.Chat.ChatHub>>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        // A closed registration wins over the open generic default.
        builder.ConfigureTestServices(services => services.AddSingleton<HubLifetimeManager<Hubs.Server.Chat.ChatHub>, HeldConnectLifetimeManager>());
    }
}

/// <summary>SignalR's in-memory lifetime manager; the first connection of a chosen user waits in <see cref="OnConnectedAsync"/> until released.</summary>
public sealed class HeldConnectLifetimeManager(ILogger<DefaultHubLifetimeManager<Hubs.Server.Chat.ChatHub>> logger)
    : DefaultHubLifetimeManager<Hubs.Server.Chat.ChatHub>(logger)
{
    private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? _user;

    /// <summary>The next connection of <paramref name="user"/> will wait after its handshake.</summary>
    public void HoldNextConnectionOf(string user) => Volatile.Write(ref _user, user);

    /// <summary>The held connection has been answered its handshake and is waiting.</summary>
    public Task Held => _held.Task;

    public void Release() => _release.TrySetResult();

    public override async Task OnConnectedAsync(HubConnectionContext connection)
    {
        var user = Volatile.Read(ref _user);
        if (user is not null && connection.UserIdentifier == user && Interlocked.CompareExchange(ref _user, null, user) == user)
        {
            _held.TrySetResult();
            await _release.Task;
        }
        await base.OnConnectedAsync(connection);
    }
}

/// <summary>Which connection of a user over the limit (1 here) is refused: always the newer one.</summary>
public sealed class UserLimitOrderTests : IAsyncLifetime
{
    private readonly SlowSetupHubsApplication _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _app.DisposeAsync().AsTask();

    [Fact]
    public async Task ANewerConnectionIsRefusedWhileTheOlderOneIsStillBeingSetUpAndTheOlderOneIsWelcomed()
    {
        var name = Names.User("cold");
        _app.Lifetime.HoldNextConnectionOf(name);
        await using var older = new ChatSession(name, new ChatClient(_app.HubOptionsFor(name)));
        // Completes once the server accepts the connection, which the held setup puts off.
        var olderStarted = older.Client.StartAsync();
        await _app.Lifetime.Held.WaitAsync(Timeouts.Default);

        await using var newer = new ChatSession(name, new ChatClient(_app.HubOptionsFor(name)));
        var newerRefusal = await Assert.ThrowsAsync<HubConnectionLostException>(() => newer.Client.StartAsync().WaitAsync(Timeouts.Default));
        var olderStartedWhileHeld = olderStarted.IsCompleted;
        _app.Lifetime.Release();
        await olderStarted.WaitAsync(Timeouts.Default);
        var olderWelcome = await older.Events.Welcome.NextAsync();

        Assert.Contains($"Too many connections: user '{name}' already has 1 open, the limit.", newerRefusal.Message, StringComparison.Ordinal);
        Assert.Empty(newer.Events.Welcome.Drain());
        Assert.False(olderStartedWhileHeld);
        Assert.Equal(name, olderWelcome.User.Id);
        Assert.Equal(ClientConnectionState.Connected, older.Client.ConnectionState);
        Assert.False(older.Closed.IsCompleted);
    }

    [Fact]
    public async Task OfManyConnectionsOfOneUserStartedAtOnceExactlyOneIsWelcomedAndTheOthersAreRefusedWithTheReason()
    {
        var name = Names.User("burst");
        var sessions = Enumerable.Range(0, 6).Select(_ => new ChatSession(name, new ChatClient(_app.HubOptionsFor(name)))).ToList();
        try
        {
            var refusals = await Task.WhenAll(sessions.Select(async session =>
            {
                try
                {
                    await session.Client.StartAsync().WaitAsync(Timeouts.Default);
                    return null;
                }
                catch (HubConnectionLostException refusal)
                {
                    return refusal;
                }
            }));

            var welcomed = Assert.Single(sessions.Where((_, i) => refusals[i] is null));
            Assert.Equal(name, (await welcomed.Events.Welcome.NextAsync()).User.Id);
            foreach (var refusal in refusals.OfType<HubConnectionLostException>())
            {
                Assert.Contains("Too many connections", refusal.Message, StringComparison.Ordinal);
            }
        }
        finally
        {
            await Task.WhenAll(sessions.Select(session => session.DisposeAsync().AsTask()));
        }
    }
}
