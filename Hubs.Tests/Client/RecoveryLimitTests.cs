using Hubs.Contracts;
using Hubs.Tests.Infrastructure;

namespace Hubs.Tests.Client;

/// <summary>An outage longer than the room's history window: the user gets what is kept and is told the rest is gone.</summary>
public sealed class RecoveryLimitTests(ShortHistoryHubsApplication app) : IClassFixture<ShortHistoryHubsApplication>
{
    [Fact]
    public async Task RejoinTellsTheUserWhenMoreWasMissedThanTheRoomKeeps()
    {
        await using var alice = await ResilientChat.ConnectAsync(app, Names.User("alice"));
        await using var bob = await ResilientChat.ConnectAsync(app, Names.User("bob"));
        var room = Names.Room();
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await bob.Client.JoinRoomAsync(new JoinRoomRequest(room));
        var seen = await bob.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "seen"));
        await alice.Events.RoomMessages.NextAsync(message => message.Id == seen.Id);

        alice.Tokens.Hold();
        app.Dropper.Drop(alice.UserName);
        await alice.Tokens.AttemptWaiting;
        var sent = new List<long>();
        for (var i = 1; i <= ShortHistoryHubsApplication.HistoryLength + 2; i++)
        {
            sent.Add((await bob.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, $"missed {i}"))).Id);
        }
        alice.Tokens.Release();

        var rejoined = await alice.Rejoined.NextAsync();
        Assert.True(rejoined.HistoryTruncated);
        Assert.Equal(ShortHistoryHubsApplication.HistoryLength, rejoined.MissedMessages);
        Assert.Equal(sent.TakeLast(ShortHistoryHubsApplication.HistoryLength), alice.Events.RoomMessages.Drain().Select(message => message.Id));
    }
}
