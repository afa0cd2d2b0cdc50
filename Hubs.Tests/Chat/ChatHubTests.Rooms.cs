using Hubs.Contracts;
using Hubs.Tests.Infrastructure;

namespace Hubs.Tests.Chat;

public abstract partial class ChatHubTests
{
    [Fact]
    public async Task JoinRoomReturnsMembersAndRecentHistoryAndTellsTheOthers()
    {
        var room = Names.Room();
        await using var alice = await ConnectAsync(Names.User("alice"));
        await using var bob = await ConnectAsync(Names.User("bob"));
        var aliceJoin = await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));
        var first = await alice.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "first"));
        var second = await alice.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "second"));

        var bobJoin = await bob.Client.JoinRoomAsync(new JoinRoomRequest(room));

        Assert.Equal(room, aliceJoin.Room);
        Assert.Equal([alice.UserName], aliceJoin.Members.Select(m => m.Id));
        Assert.Empty(aliceJoin.History);
        Assert.Equal([alice.UserName, bob.UserName], bobJoin.Members.Select(m => m.Id).Order(StringComparer.Ordinal));
        Assert.Equal([first.Id, second.Id], bobJoin.History.Select(m => m.Id));
        Assert.Equal(["first", "second"], bobJoin.History.Select(m => m.Text));
        Assert.All(bobJoin.History, m => Assert.Equal(room, m.Room));
        Assert.False(bobJoin.HistoryTruncated);
        var joined = await alice.Events.UserJoined.NextAsync();
        Assert.Equal(new RoomEvent(room, new UserInfo(bob.UserName, bob.UserName), joined.Timestamp), joined);
    }

    [Fact]
    public async Task RoomMessageReachesOnlyRoomMembers()
    {
        var room = Names.Room();
        await using var alice = await ConnectAsync(Names.User("alice"));
        await using var bob = await ConnectAsync(Names.User("bob"));
        await using var outsider = await ConnectAsync(Names.User("outsider"));
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await bob.Client.JoinRoomAsync(new JoinRoomRequest(room));

        var ack = await alice.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "members only"));
        var marker = await alice.Client.SendMessageAsync(new SendMessageRequest("marker for everyone"));

        foreach (var member in new[] { alice, bob })
        {
            var message = await member.Events.RoomMessages.NextAsync();
            Assert.Equal((ack.Id, room, "members only", alice.UserName), (message.Id, message.Room, message.Text, message.Sender.Id));
        }
        // Delivery to a connection is ordered: once the later global marker arrived, a room message would have too.
        await outsider.Events.Messages.NextAsync(m => m.Id == marker.Id);
        Assert.Empty(outsider.Events.RoomMessages.Drain());
    }

    [Fact]
    public async Task RoomMessagesInOneRoomDoNotLeakIntoAnother()
    {
        var (roomA, roomB) = (Names.Room("a"), Names.Room("b"));
        await using var alice = await ConnectAsync(Names.User("alice"));
        await using var bob = await ConnectAsync(Names.User("bob"));
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(roomA));
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(roomB));
        await bob.Client.JoinRoomAsync(new JoinRoomRequest(roomB));

        await alice.Client.SendRoomMessageAsync(new SendRoomMessageRequest(roomA, "only in a"));
        var inB = await alice.Client.SendRoomMessageAsync(new SendRoomMessageRequest(roomB, "in b"));

        Assert.Equal(inB.Id, (await bob.Events.RoomMessages.NextAsync()).Id);
    }

    [Fact]
    public async Task LeaveRoomTellsTheOthersAndStopsDelivery()
    {
        var room = Names.Room();
        await using var alice = await ConnectAsync(Names.User("alice"));
        await using var bob = await ConnectAsync(Names.User("bob"));
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await bob.Client.JoinRoomAsync(new JoinRoomRequest(room));

        var ack = await bob.Client.LeaveRoomAsync(new LeaveRoomRequest(room));
        var left = await alice.Events.UserLeft.NextAsync();
        await alice.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "after bob left"));
        var marker = await alice.Client.SendMessageAsync(new SendMessageRequest("marker"));

        Assert.True(ack.Ok);
        Assert.Equal((room, bob.UserName), (left.Room, left.User.Id));
        Assert.Equal([alice.UserName], (await alice.Client.GetRoomMembersAsync(new GetRoomMembersRequest(room))).Select(m => m.Id));
        await bob.Events.Messages.NextAsync(m => m.Id == marker.Id);
        Assert.Empty(bob.Events.RoomMessages.Drain());
    }

    [Fact]
    public async Task LeavingARoomOneIsNotInAnswersNotOk()
    {
        await using var alice = await ConnectAsync(Names.User("alice"));

        var ack = await alice.Client.LeaveRoomAsync(new LeaveRoomRequest(Names.Room()));

        Assert.False(ack.Ok);
    }

    [Fact]
    public async Task ClosingTheLastConnectionLeavesEveryRoom()
    {
        var (roomA, roomB) = (Names.Room("a"), Names.Room("b"));
        await using var alice = await ConnectAsync(Names.User("alice"));
        var bob = await ConnectAsync(Names.User("bob"));
        foreach (var room in new[] { roomA, roomB })
        {
            await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));
            await bob.Client.JoinRoomAsync(new JoinRoomRequest(room));
        }

        await bob.DisposeAsync();

        var left = new[] { await alice.Events.UserLeft.NextAsync(), await alice.Events.UserLeft.NextAsync() };
        Assert.Equal([roomA, roomB], left.Select(e => e.Room).Order(StringComparer.Ordinal));
        Assert.All(left, e => Assert.Equal(bob.UserName, e.User.Id));
        Assert.Equal([alice.UserName], (await alice.Client.GetRoomMembersAsync(new GetRoomMembersRequest(roomA))).Select(m => m.Id));
    }

    [Fact]
    public async Task ASecondTabIsOneMemberAndClosingItDoesNotLeaveTheRoom()
    {
        var room = Names.Room();
        var bobName = Names.User("bob");
        await using var alice = await ConnectAsync(Names.User("alice"));
        await using var bobTab1 = await ConnectAsync(bobName);
        var bobTab2 = await ConnectAsync(bobName);
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await bobTab1.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await alice.Events.UserJoined.NextAsync();

        var secondJoin = await bobTab2.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await bobTab2.DisposeAsync();
        await bobTab1.Client.LeaveRoomAsync(new LeaveRoomRequest(room));

        Assert.Equal(2, secondJoin.Members.Count);
        // Bob's room events as alice saw them: one join (first tab), one leave (last tab in the room).
        var events = await alice.Events.All.ReadThroughAsync(e => e.Method == nameof(IChatClient.UserLeft));
        Assert.Equal(
            [nameof(IChatClient.UserJoined), nameof(IChatClient.UserLeft)],
            events.Where(e => e.Payload is RoomEvent r && r.User.Id == bobName).Select(e => e.Method));
    }

    [Fact]
    public async Task RejoinWithSinceIdReturnsExactlyTheMissedMessages()
    {
        var room = Names.Room();
        await using var alice = await ConnectAsync(Names.User("alice"));
        await using var bob = await ConnectAsync(Names.User("bob"));
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await bob.Client.JoinRoomAsync(new JoinRoomRequest(room));
        var lastSeen = await alice.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "seen by bob"));
        await bob.Client.LeaveRoomAsync(new LeaveRoomRequest(room));
        var missed1 = await alice.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "missed 1"));
        var missed2 = await alice.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "missed 2"));

        var rejoin = await bob.Client.JoinRoomAsync(new JoinRoomRequest(room, lastSeen.Id));

        Assert.Equal([missed1.Id, missed2.Id], rejoin.History.Select(m => m.Id));
        Assert.False(rejoin.HistoryTruncated);
    }

    [Fact]
    public async Task GetRoomHistoryPagesBackwardsOldestFirst()
    {
        var room = Names.Room();
        await using var alice = await ConnectAsync(Names.User("alice"));
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));
        var ids = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add((await alice.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, $"m{i}"))).Id);
        }

        var newest = await alice.Client.GetRoomHistoryAsync(new GetRoomHistoryRequest(room, Limit: 2));
        var older = await alice.Client.GetRoomHistoryAsync(new GetRoomHistoryRequest(room, newest[0].Id, 2));
        var all = await alice.Client.GetRoomHistoryAsync(new GetRoomHistoryRequest(room));

        Assert.Equal(ids[3..], newest.Select(m => m.Id));
        Assert.Equal(ids[1..3], older.Select(m => m.Id));
        Assert.Equal(ids, all.Select(m => m.Id));
    }

    [Fact]
    public async Task GetRoomMembersListsEachUserOnce()
    {
        var room = Names.Room();
        var bobName = Names.User("bob");
        await using var alice = await ConnectAsync(Names.User("alice"));
        await using var bob1 = await ConnectAsync(bobName);
        await using var bob2 = await ConnectAsync(bobName);
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await bob1.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await bob2.Client.JoinRoomAsync(new JoinRoomRequest(room));

        var members = await alice.Client.GetRoomMembersAsync(new GetRoomMembersRequest(room));

        Assert.Equal([alice.UserName, bobName], members.Select(m => m.Id).Order(StringComparer.Ordinal));
        Assert.Empty(await alice.Client.GetRoomMembersAsync(new GetRoomMembersRequest(Names.Room("empty"))));
    }

    [Fact]
    public async Task JoiningTwiceFromOneConnectionIsHarmless()
    {
        var room = Names.Room();
        await using var alice = await ConnectAsync(Names.User("alice"));
        await using var bob = await ConnectAsync(Names.User("bob"));
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await bob.Client.JoinRoomAsync(new JoinRoomRequest(room));

        var again = await bob.Client.JoinRoomAsync(new JoinRoomRequest(room));
        var ack = await bob.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "still one member"));

        Assert.Equal(2, again.Members.Count);
        // Up to bob's message alice saw exactly one UserJoined for him.
        var events = await alice.Events.All.ReadThroughAsync(e => e.Payload is ChatMessage m && m.Id == ack.Id);
        Assert.Single(events, e => e.Method == nameof(IChatClient.UserJoined));
        Assert.Equal(ack.Id, (await bob.Events.RoomMessages.NextAsync()).Id);
    }
}
