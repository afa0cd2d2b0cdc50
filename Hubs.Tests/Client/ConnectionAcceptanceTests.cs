using Hubs.Client;
using Hubs.Tests.Infrastructure;
using Hubs.Tests.Limits;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR.Client;

namespace Hubs.Tests.Client;

/// <summary>The real server in memory with one connection per user, and a <see cref="ConnectionDropper"/>.</summary>
public sealed class OneConnectionPerUserApplication : DroppableHubsApplication
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Limits:MaxConnectionsPerUser", "1");
    }
}

/// <summary>
/// A chat client's connect completes only once the server has accepted the connection (its Welcome); a first connect
/// the server refuses (here: over the per-user connection limit) fails with the server's reason and is never reported
/// connected, a refused reconnect is retried per the policy.
/// </summary>
public sealed class ConnectionAcceptanceTests(OneConnectionPerUserApplication app) : IClassFixture<OneConnectionPerUserApplication>
{
    [Fact]
    public async Task AStartOverTheUsersConnectionLimitThrowsTheServersReasonAndIsNeverReportedConnected()
    {
        var name = Names.User("tabs");
        await using var first = await ResilientChat.ConnectAsync(app, name);
        var (options, tokens) = GatedClientOptions.For(app, name, policy: null, HubProtocolKind.Json);
        await using var second = new ResilientChat(name, options, tokens);
        var connectedEvents = new EventStream<ConnectedEvent>();
        second.Client.Connected += connected => connectedEvents.Add(connected);

        var refusal = await Assert.ThrowsAsync<HubConnectionLostException>(() => second.Client.StartAsync().WaitAsync(Timeouts.Default));
        // Events are raised in order: once GaveUp is in, a Connected would have come before it.
        var gaveUp = await second.NextStateAsync<GaveUpEvent>();

        Assert.Contains($"Too many connections: user '{name}' already has 1 open, the limit.", refusal.Message, StringComparison.Ordinal);
        Assert.Same(refusal, gaveUp.LastError);
        Assert.Equal([typeof(ConnectingEvent), typeof(GaveUpEvent)], second.History.Select(change => change.GetType()));
        Assert.Empty(connectedEvents.Drain());
        Assert.Empty(second.Events.Welcome.Drain());
        Assert.Equal(ClientConnectionState.Disconnected, second.Client.ConnectionState);
        Assert.Equal(ClientConnectionState.Connected, first.Client.ConnectionState);
    }

    [Fact]
    public async Task AReconnectRefusedByTheUsersConnectionLimitIsRetriedAndReconnectsOnceTheSlotIsFreeWithoutGivingUp()
    {
        var name = Names.User("moved");
        await using var roaming = await ResilientChat.ConnectAsync(app, name);
        await using var other = await TakeTheSlotWhileReconnectingAsync(roaming);
        var refused = await roaming.States.NextAsync(change =>
            change is ReconnectingEvent { Error.Message: var error } && error.Contains("Too many connections", StringComparison.Ordinal));
        await other.Client.StopAsync();
        var reconnected = await roaming.NextStateAsync<ReconnectedEvent>();

        var retry = Assert.IsType<ReconnectingEvent>(refused);
        Assert.True(retry.Attempt >= 2, $"the refusal was not counted as a failed attempt (attempt {retry.Attempt})");
        Assert.Contains($"Too many connections: user '{name}' already has 1 open, the limit.", retry.Error!.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(roaming.History, change => change is GaveUpEvent);
        Assert.Single(roaming.History, change => change is ReconnectedEvent);
        // Only the accepted connection got a Welcome, and Reconnected came after it.
        Assert.Single(roaming.Events.Welcome.Drain());
        Assert.Equal(reconnected.ConnectionId, roaming.Client.ConnectionId);
        Assert.Equal(ClientConnectionState.Connected, roaming.Client.ConnectionState);
    }

    [Fact]
    public async Task AReconnectRefusedByTheUsersConnectionLimitUntilThePolicyRunsOutEndsInGaveUpWithTheServersReason()
    {
        var name = Names.User("crowded");
        var policy = new ReconnectPolicy { InitialDelay = TimeSpan.FromMilliseconds(20), MaxDelay = TimeSpan.FromMilliseconds(50), MaxAttempts = 3 };
        await using var roaming = await ResilientChat.ConnectAsync(app, name, policy);
        await using var other = await TakeTheSlotWhileReconnectingAsync(roaming);
        var gaveUp = await roaming.NextStateAsync<GaveUpEvent>();

        Assert.Equal(3, gaveUp.Attempts);
        var reason = Assert.IsType<HubConnectionLostException>(gaveUp.LastError);
        Assert.Contains($"Too many connections: user '{name}' already has 1 open, the limit.", reason.Message, StringComparison.Ordinal);
        Assert.Equal([1, 2, 3], roaming.History.OfType<ReconnectingEvent>().Select(retry => retry.Attempt));
        Assert.DoesNotContain(roaming.History, change => change is ReconnectedEvent);
        Assert.Equal(ClientConnectionState.Disconnected, roaming.Client.ConnectionState);
        Assert.Equal(ClientConnectionState.Connected, other.Client.ConnectionState);
    }

    /// <summary>
    /// Drops <paramref name="roaming"/>'s connection and, while its reconnect waits, lets another connection of the user
    /// take the slot the lost one freed: to the reconnect it looks like a server that still counts the lost connection.
    /// </summary>
    private async Task<ChatSession> TakeTheSlotWhileReconnectingAsync(ResilientChat roaming)
    {
        roaming.Tokens.Hold();
        Assert.Equal(1, app.Dropper.Drop(roaming.UserName));
        await roaming.NextStateAsync<DisconnectedEvent>();
        await roaming.Tokens.AttemptWaiting.WaitAsync(Timeouts.Default);
        var other = await app.ConnectChatWhenFreedAsync(roaming.UserName);
        roaming.Tokens.Release();
        return other;
    }

    [Fact]
    public async Task AStartTheServerDoesNotAcceptWithinTheAcceptTimeoutIsClosedAndThrows()
    {
        await using var slowApp = new SlowSetupHubsApplication();
        var name = Names.User("unwelcome");
        slowApp.Lifetime.HoldNextConnectionOf(name);
        var options = slowApp.HubOptionsFor(name);
        options.AcceptTimeout = TimeSpan.FromMilliseconds(300);
        await using var chat = new ChatSession(name, new ChatClient(options));
        var states = new ConnectionHistory(record => chat.Client.ConnectionChanged += record);

        try
        {
            var error = await Assert.ThrowsAsync<HubConnectionLostException>(() => chat.Client.StartAsync().WaitAsync(Timeouts.Default));
            var gaveUp = await states.NextAsync<GaveUpEvent>();

            Assert.Contains("did not accept the connection", error.Message, StringComparison.Ordinal);
            Assert.IsType<TimeoutException>(error.InnerException);
            Assert.Same(error, gaveUp.LastError);
            Assert.DoesNotContain(states.All, change => change is ConnectedEvent);
            Assert.Equal(HubConnectionState.Disconnected, chat.Client.State);
        }
        finally
        {
            slowApp.Lifetime.Release();
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void ANonPositiveAcceptTimeoutIsRefusedWhenTheChatClientIsCreated(int milliseconds)
    {
        var options = new HubClientOptions { ServerUrl = new Uri("http://127.0.0.1:1"), AcceptTimeout = TimeSpan.FromMilliseconds(milliseconds) };

        var error = Assert.Throws<ArgumentException>(() => new ChatClient(options));

        Assert.Equal(nameof(HubClientOptions.AcceptTimeout), error.ParamName);
        Assert.Equal(TimeSpan.FromSeconds(15), new HubClientOptions { ServerUrl = options.ServerUrl }.AcceptTimeout);
    }
}
