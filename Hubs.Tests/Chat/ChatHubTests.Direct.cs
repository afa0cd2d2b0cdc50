using Hubs.Contracts;
using Hubs.Tests.Infrastructure;

namespace Hubs.Tests.Chat;

public abstract partial class ChatHubTests
{
    [Fact]
    public async Task DirectMessageReachesEveryConnectionOfTheTargetAndTheSenderOnly()
    {
        var aliceName = Names.User("alice");
        var bobName = Names.User("bob");
        await using var aliceTab1 = await ConnectAsync(aliceName);
        await using var aliceTab2 = await ConnectAsync(aliceName);
        await using var bobTab1 = await ConnectAsync(bobName);
        await using var bobTab2 = await ConnectAsync(bobName);
        await using var carol = await ConnectAsync(Names.User("carol"));

        var ack = await aliceTab1.Client.SendDirectMessageAsync(new SendDirectMessageRequest(bobName, "psst"));
        var marker = await aliceTab1.Client.SendMessageAsync(new SendMessageRequest("marker"));

        foreach (var session in new[] { aliceTab1, aliceTab2, bobTab1, bobTab2 })
        {
            var message = await session.Events.DirectMessages.NextAsync();
            // The recipient is named, so Alice's other tab can file it under her conversation with Bob.
            Assert.Equal((ack.Id, (string?)null, "psst", aliceName, bobName), (message.Id, message.Room, message.Text, message.Sender.Id, message.RecipientId));
        }
        await carol.Events.Messages.NextAsync(m => m.Id == marker.Id);
        Assert.Empty(carol.Events.DirectMessages.Drain());
        // Each connection got it once: the marker follows directly.
        Assert.Empty(bobTab1.Events.DirectMessages.Drain());
    }

    [Fact]
    public async Task DirectMessageToOneselfArrivesOncePerConnection()
    {
        var aliceName = Names.User("alice");
        await using var alice = await ConnectAsync(aliceName);

        var ack = await alice.Client.SendDirectMessageAsync(new SendDirectMessageRequest(aliceName, "note to self"));
        var marker = await alice.Client.SendMessageAsync(new SendMessageRequest("marker"));

        Assert.Equal(ack.Id, (await alice.Events.DirectMessages.NextAsync()).Id);
        await alice.Events.Messages.NextAsync(m => m.Id == marker.Id);
        Assert.Empty(alice.Events.DirectMessages.Drain());
    }
}
