using Hubs.Client;
using Hubs.Contracts;
using Hubs.Tests.Infrastructure;

namespace Hubs.Tests.Chat;

/// <summary>The global chat contract, run once per protocol by the sealed subclasses below.</summary>
public abstract class ChatHubTests(HubsApplication app, HubProtocolKind protocol) : IClassFixture<HubsApplication>
{
    protected HubsApplication App => app;

    protected HubProtocolKind Protocol => protocol;

    protected Task<ChatSession> ConnectAsync(string userName) => app.ConnectChatAsync(userName, protocol);

    [Fact]
    public async Task WelcomeArrivesFirstWithConnectionIdUserAndServerTime()
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
            Assert.Equal(alice.UserName, message.Sender.Id);
            Assert.Equal(ack.Timestamp, message.Timestamp);
        }
    }
}

public sealed class ChatHubJsonTests(HubsApplication app) : ChatHubTests(app, HubProtocolKind.Json);

public sealed class ChatHubMessagePackTests(HubsApplication app) : ChatHubTests(app, HubProtocolKind.MessagePack);
