using System.Net;
using Hubs.Client;
using Hubs.Contracts;
using Hubs.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;

namespace Hubs.Tests.Client;

/// <summary>Starting, stopping, giving up, and what calls do in each state.</summary>
public sealed class ClientLifecycleTests(DroppableHubsApplication app) : IClassFixture<DroppableHubsApplication>
{
    private static readonly ReconnectPolicy TwoQuickRetries = new()
    {
        MaxAttempts = 2,
        InitialDelay = TimeSpan.FromMilliseconds(10),
        MaxDelay = TimeSpan.FromMilliseconds(20),
    };

    [Fact]
    public async Task FirstConnectIsRetriedPerPolicyThenGivesUpWithTheLastError()
    {
        // A loopback port nobody listens on: every attempt is refused at once.
        var options = KestrelClients.Options(new Uri($"http://127.0.0.1:{ServerProcess.FreePort()}"), "no-token");
        options.Reconnect = TwoQuickRetries;
        await using var client = new ChatClient(options);
        var changes = new EventStream<ConnectionEvent>();
        client.ConnectionChanged += change => changes.Add(change);

        await Assert.ThrowsAsync<HttpRequestException>(() => client.StartAsync().WaitAsync(Timeouts.Default));

        Assert.IsType<ConnectingEvent>(await changes.NextAsync());
        var first = Assert.IsType<ReconnectingEvent>(await changes.NextAsync());
        var second = Assert.IsType<ReconnectingEvent>(await changes.NextAsync());
        var gaveUp = Assert.IsType<GaveUpEvent>(await changes.NextAsync());
        Assert.Equal((1, 2), (first.Attempt, second.Attempt));
        Assert.IsType<HttpRequestException>(first.Error);
        Assert.Equal(2, gaveUp.Attempts);
        Assert.IsType<HttpRequestException>(gaveUp.LastError);
        Assert.Equal(ClientConnectionState.Disconnected, client.ConnectionState);
    }

    [Fact]
    public async Task RejectedTokenIsNotRetried()
    {
        var options = app.HubOptionsFor(null);
        options.Reconnect = ReconnectPolicy.Forever;
        await using var client = new ChatClient(options);
        var changes = new EventStream<ConnectionEvent>();
        client.ConnectionChanged += change => changes.Add(change);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.StartAsync().WaitAsync(Timeouts.Default));

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
        Assert.IsType<ConnectingEvent>(await changes.NextAsync());
        Assert.Equal(0, Assert.IsType<GaveUpEvent>(await changes.NextAsync()).Attempts);
    }

    [Fact]
    public async Task ClientGivesUpReconnectingWhenThePolicyIsExhaustedAndWaitingSendsFailClearly()
    {
        await using var alice = await ResilientChat.ConnectAsync(app, Names.User("alice"), TwoQuickRetries);
        // Every reconnect is refused: the token provider now fails like an identity provider that is down.
        var refusal = new InvalidOperationException("identity provider unavailable");
        alice.Tokens.Hold();
        app.Dropper.Drop(alice.UserName);
        await alice.Tokens.AttemptWaiting;
        var send = alice.Client.SendMessageAsync(new SendMessageRequest("never confirmed"));
        alice.Tokens.FailWith(refusal);
        alice.Tokens.Release();

        var gaveUp = await alice.NextStateAsync<GaveUpEvent>().WaitAsync(Timeouts.Default);
        var error = await Assert.ThrowsAsync<HubConnectionLostException>(() => send.WaitAsync(Timeouts.Default));
        Assert.Contains("gave up", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, gaveUp.Attempts);
        Assert.Equal(ClientConnectionState.Disconnected, alice.Client.ConnectionState);
        Assert.Same(refusal, gaveUp.LastError);
        Assert.Equal([1, 2], alice.History.OfType<ReconnectingEvent>().Select(change => change.Attempt));
    }

    [Fact]
    public async Task CallsMadeWhileReconnectingWaitForTheConnectionAndGoThrough()
    {
        await using var alice = await ResilientChat.ConnectAsync(app, Names.User("alice"));
        await using var bob = await ResilientChat.ConnectAsync(app, Names.User("bob"));
        var room = Names.Room();
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await bob.Client.JoinRoomAsync(new JoinRoomRequest(room));

        alice.Tokens.Hold();
        app.Dropper.Drop(alice.UserName);
        await alice.Tokens.AttemptWaiting;
        var send = alice.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "sent while away"));
        Assert.False(send.IsCompleted);
        Assert.Equal(ClientConnectionState.Reconnecting, alice.Client.ConnectionState);
        alice.Tokens.Release();

        var ack = await send.WaitAsync(Timeouts.Default);
        var received = await bob.Events.RoomMessages.NextAsync();
        Assert.Equal((ack.Id, "sent while away"), (received.Id, received.Text));
    }

    [Fact]
    public async Task ServerRefusalIsAHubExceptionAndTheClientStaysUsable()
    {
        await using var alice = await ResilientChat.ConnectAsync(app, Names.User("alice"));

        var error = await Assert.ThrowsAsync<HubException>(() =>
            alice.Client.SendRoomMessageAsync(new SendRoomMessageRequest(Names.Room(), "not a member")));
        Assert.Contains("not a member", error.Message, StringComparison.Ordinal);
        var invalid = await Assert.ThrowsAsync<HubException>(() => alice.Client.JoinRoomAsync(new JoinRoomRequest("no spaces allowed")));
        Assert.Contains("Invalid room name", invalid.Message, StringComparison.Ordinal);
        Assert.Empty(alice.Client.Rooms);

        var ack = await alice.Client.SendMessageAsync(new SendMessageRequest("still here"));
        Assert.Equal(ack.Id, (await alice.Events.Messages.NextAsync(message => message.Id == ack.Id)).Id);
        Assert.Equal(ClientConnectionState.Connected, alice.Client.ConnectionState);
        Assert.DoesNotContain(alice.History, change => change is DisconnectedEvent);
    }

    [Fact]
    public async Task ARefusedCallThrowsTheServersOwnMessageWithoutSignalRsPreamble()
    {
        await using var alice = await ResilientChat.ConnectAsync(app, Names.User("alice"));
        var room = Names.Room();
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));

        var error = await Assert.ThrowsAsync<HubException>(() => alice.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "")));

        Assert.Equal("Message text must not be empty.", error.Message);
        var original = Assert.IsType<HubException>(error.InnerException);
        Assert.StartsWith("An unexpected error occurred invoking 'SendRoomMessage' on the server.", original.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CallsBeforeStartFailAndStopFailsCallsStillWaiting()
    {
        var name = Names.User("alice");
        await using var client = new ChatClient(app.HubOptionsFor(name));
        var notStarted = await Assert.ThrowsAsync<InvalidOperationException>(() => client.SendMessageAsync(new SendMessageRequest("early")));
        Assert.Contains("StartAsync", notStarted.Message, StringComparison.Ordinal);

        await using var alice = await ResilientChat.ConnectAsync(app, name);
        alice.Tokens.Hold();
        app.Dropper.Drop(alice.UserName);
        await alice.Tokens.AttemptWaiting;
        var send = alice.Client.SendMessageAsync(new SendMessageRequest("waiting"));
        var stop = alice.Client.StopAsync();
        alice.Tokens.Release();
        await stop.WaitAsync(Timeouts.Default);

        var error = await Assert.ThrowsAsync<HubConnectionLostException>(() => send.WaitAsync(Timeouts.Default));
        Assert.Contains("stopped", error.Message, StringComparison.Ordinal);
        Assert.Equal(ClientConnectionState.Disconnected, alice.Client.ConnectionState);
        await Assert.ThrowsAsync<HubConnectionLostException>(() => alice.Client.SendMessageAsync(new SendMessageRequest("after stop")));
    }

    [Fact]
    public async Task AClientCanBeStartedAgainAfterStopping()
    {
        await using var alice = await ResilientChat.ConnectAsync(app, Names.User("alice"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => alice.Client.StartAsync());

        await alice.Client.StopAsync();
        await alice.Client.StartAsync().WaitAsync(Timeouts.Default);

        var ack = await alice.Client.SendMessageAsync(new SendMessageRequest("again"));
        Assert.Equal(ack.Id, (await alice.Events.Messages.NextAsync(message => message.Id == ack.Id)).Id);
        Assert.Equal(2, alice.History.OfType<ConnectedEvent>().Count());
    }

    [Fact]
    public async Task CancellingAWaitingCallCancelsOnlyThatCall()
    {
        await using var alice = await ResilientChat.ConnectAsync(app, Names.User("alice"));
        alice.Tokens.Hold();
        app.Dropper.Drop(alice.UserName);
        await alice.Tokens.AttemptWaiting;
        using var cancel = new CancellationTokenSource();
        var send = alice.Client.SendMessageAsync(new SendMessageRequest("cancelled"), cancel.Token);

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send.WaitAsync(Timeouts.Default));

        alice.Tokens.Release();
        await alice.NextStateAsync<ReconnectedEvent>();
        var ack = await alice.Client.SendMessageAsync(new SendMessageRequest("not cancelled"));
        var received = await alice.Events.Messages.NextAsync(message => message.Id == ack.Id);
        Assert.Equal("not cancelled", received.Text);
    }

    [Theory]
    [InlineData(HubProtocolKind.Json)]
    [InlineData(HubProtocolKind.MessagePack)]
    public async Task AMessageOverTheServersSizeLimitFailsAtOnceWithTheServersReasonIsNotResentAndTheClientReconnects(HubProtocolKind protocol)
    {
        await using var alice = await ResilientChat.ConnectAsync(app, Names.User("alice"), protocol: protocol);

        // Over Hubs:MaximumReceiveMessageSize: the server drops the connection with an error. Sending it again
        // after reconnecting would only drop the next connection too.
        var error = await Assert.ThrowsAsync<HubException>(() =>
            alice.Client.SendMessageAsync(new SendMessageRequest(new string('x', 40_000))).WaitAsync(Timeouts.Default));

        Assert.Equal("Message too large: the limit is 32768 bytes per message.", error.Message);
        Assert.StartsWith("The server closed the connection", error.InnerException?.Message, StringComparison.Ordinal);
        await alice.NextStateAsync<ReconnectedEvent>();
        var ack = await alice.Client.SendMessageAsync(new SendMessageRequest("small again")).WaitAsync(Timeouts.Default);
        Assert.Equal(ack.Id, (await alice.Events.Messages.NextAsync(message => message.Id == ack.Id)).Id);
        Assert.Single(alice.History.OfType<DisconnectedEvent>());
    }

    [Fact]
    public async Task CancellingAFirstConnectThatKeepsFailingStopsTheRetries()
    {
        var options = KestrelClients.Options(new Uri($"http://127.0.0.1:{ServerProcess.FreePort()}"), "no-token");
        options.Reconnect = ResilientChat.FastForever;
        await using var client = new ChatClient(options);
        var retrying = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Reconnecting += _ => retrying.TrySetResult();
        using var cancel = new CancellationTokenSource();

        var start = client.StartAsync(cancel.Token);
        await retrying.Task.WaitAsync(Timeouts.Default);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => start.WaitAsync(Timeouts.Default));
        Assert.Equal(ClientConnectionState.Disconnected, client.ConnectionState);
    }
}
