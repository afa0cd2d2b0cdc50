using Hubs.Client;
using Hubs.Contracts;
using Hubs.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Connections;

namespace Hubs.Tests.Chat;

/// <summary>
/// The /hubs/chat contract over the in-memory TestServer, run once per protocol by the sealed subclasses
/// at the bottom. Tests share one server, so every test uses its own user and room names.
/// </summary>
public abstract partial class ChatHubTests(HubsApplication app, HubProtocolKind protocol) : IClassFixture<HubsApplication>
{
    protected Task<ChatSession> ConnectAsync(string userName) => app.ConnectChatAsync(userName, protocol);

    [Fact]
    public async Task WelcomeArrivesOnConnectWithConnectionIdUserAndServerTime()
    {
        var name = Names.User("alice");
        await using var client = new ChatClient(app.HubOptionsFor(name, protocol));
        var events = new ChatEvents();
        client.Subscribe(events);
        var before = DateTime.UtcNow.AddMinutes(-1);

        await client.StartAsync();
        var welcome = await events.Welcome.NextAsync();

        Assert.Equal(client.ConnectionId, welcome.ConnectionId);
        Assert.Equal(new UserInfo(name, name), welcome.User);
        Assert.Equal(DateTimeKind.Utc, welcome.ServerTime.Kind);
        Assert.InRange(welcome.ServerTime, before, DateTime.UtcNow.AddMinutes(1));
    }

    [Fact]
    public async Task SendMessageReachesEveryConnectionAndIsAcked()
    {
        await using var alice = await ConnectAsync(Names.User("alice"));
        await using var bob = await ConnectAsync(Names.User("bob"));

        var ack = await alice.Client.SendMessageAsync(new SendMessageRequest("  hello world  "));

        foreach (var session in new[] { alice, bob })
        {
            var message = await session.Events.Messages.NextAsync(m => m.Id == ack.Id);
            Assert.Equal("hello world", message.Text);
            Assert.Null(message.Room);
            Assert.Equal(new UserInfo(alice.UserName, alice.UserName), message.Sender);
            Assert.Equal(ack.Timestamp, message.Timestamp);
            Assert.Equal(DateTimeKind.Utc, message.Timestamp.Kind);
        }
    }

    [Fact]
    public async Task MessageIdsAreUniqueAndIncrease()
    {
        await using var alice = await ConnectAsync(Names.User("alice"));

        var acks = new List<MessageAck>();
        for (var i = 0; i < 5; i++)
        {
            acks.Add(await alice.Client.SendMessageAsync(new SendMessageRequest($"message {i}")));
        }

        Assert.Equal(acks.Select(a => a.Id).Order(), acks.Select(a => a.Id));
        Assert.Equal(5, acks.Select(a => a.Id).Distinct().Count());
        Assert.All(acks, ack => Assert.InRange(ack.Id, 1, (1L << 53) - 1));
    }

    [Fact]
    public async Task UserConnectedReachesOthersOnlyForTheFirstConnection()
    {
        var aliceName = Names.User("alice");
        var carolName = Names.User("carol");
        await using var bob = await ConnectAsync(Names.User("bob"));

        await using var aliceTab1 = await ConnectAsync(aliceName);
        var connected = await bob.Events.UserConnected.NextAsync(e => e.User.Id == aliceName);
        Assert.Equal(DateTimeKind.Utc, connected.Timestamp.Kind);

        await using var aliceTab2 = await ConnectAsync(aliceName);
        // Events reach bob in order: carol's arrival proves no second event for alice came before it.
        await using var carol = await ConnectAsync(carolName);
        var next = await bob.Events.UserConnected.NextAsync(e => e.User.Id == aliceName || e.User.Id == carolName);
        Assert.Equal(carolName, next.User.Id);
    }

    [Fact]
    public async Task UserDisconnectedReachesOthersOnlyWhenTheLastConnectionCloses()
    {
        var aliceName = Names.User("alice");
        var room = Names.Room();
        await using var bob = await ConnectAsync(Names.User("bob"));
        var aliceTab1 = await ConnectAsync(aliceName);
        var aliceTab2 = await ConnectAsync(aliceName);
        await bob.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await aliceTab1.Client.JoinRoomAsync(new JoinRoomRequest(room));

        // Closing the first tab: the server's clean-up is visible to bob as UserLeft for that tab's room.
        await aliceTab1.DisposeAsync();
        await bob.Events.UserLeft.NextAsync(e => e.User.Id == aliceName);
        var dm = await bob.Client.SendDirectMessageAsync(new SendDirectMessageRequest(aliceName, "still there?"));
        Assert.Equal(dm.Id, (await aliceTab2.Events.DirectMessages.NextAsync()).Id);

        await aliceTab2.DisposeAsync();
        var disconnected = await bob.Events.UserDisconnected.NextAsync(e => e.User.Id == aliceName);
        var marker = await bob.Client.SendMessageAsync(new SendMessageRequest("marker"));

        Assert.Equal(DateTimeKind.Utc, disconnected.Timestamp.Kind);
        var events = await bob.Events.All.ReadThroughAsync(e => e.Payload is ChatMessage m && m.Id == marker.Id);
        Assert.Single(events, e => e.Method == nameof(IChatClient.UserDisconnected) && ((UserEvent)e.Payload).User.Id == aliceName);
    }

    [Fact]
    public async Task LongPollingClientsChatToo()
    {
        await using var client = new ChatClient(app.HubOptionsFor(Names.User("poller"), protocol, HttpTransportType.LongPolling));
        var events = new ChatEvents();
        client.Subscribe(events);
        await client.StartAsync();
        await events.Welcome.NextAsync();

        var ack = await client.SendMessageAsync(new SendMessageRequest("over long polling"));

        Assert.Equal("over long polling", (await events.Messages.NextAsync(m => m.Id == ack.Id)).Text);
    }

    [Fact]
    public async Task ResendWithTheSameClientMessageIdGetsTheOriginalAckAndIsNotDeliveredTwice()
    {
        await using var alice = await ConnectAsync(Names.User("alice"));
        await using var bob = await ConnectAsync(Names.User("bob"));
        var clientMessageId = Guid.NewGuid().ToString();

        var first = await alice.Client.SendMessageAsync(new SendMessageRequest("once", clientMessageId));
        var repeat = await alice.Client.SendMessageAsync(new SendMessageRequest("once", clientMessageId));
        var marker = await alice.Client.SendMessageAsync(new SendMessageRequest("marker"));

        Assert.Equal(first, repeat);
        Assert.Equal(first.Id, (await bob.Events.Messages.NextAsync(m => m.Sender.Id == alice.UserName)).Id);
        Assert.Equal(marker.Id, (await bob.Events.Messages.NextAsync(m => m.Sender.Id == alice.UserName)).Id);
    }

    [Fact]
    public async Task ClientMessageIdsAreRememberedPerUser()
    {
        await using var alice = await ConnectAsync(Names.User("alice"));
        await using var bob = await ConnectAsync(Names.User("bob"));
        var clientMessageId = Guid.NewGuid().ToString();

        var fromAlice = await alice.Client.SendMessageAsync(new SendMessageRequest("from alice", clientMessageId));
        var fromBob = await bob.Client.SendMessageAsync(new SendMessageRequest("from bob", clientMessageId));

        Assert.NotEqual(fromAlice.Id, fromBob.Id);
    }
}

public sealed class ChatHubJsonTests(HubsApplication app) : ChatHubTests(app, HubProtocolKind.Json);

public sealed class ChatHubMessagePackTests(HubsApplication app) : ChatHubTests(app, HubProtocolKind.MessagePack);
