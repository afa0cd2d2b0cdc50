using Hubs.Client;
using Hubs.Contracts;
using Hubs.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Hubs.Tests.Cluster;

/// <summary>
/// The chat contract when sender and receivers sit on different instances, every client connecting through nginx.
/// Instance numbers are the fixture's three Hubs.Server processes; each test uses its own users and rooms.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterChatTests(ClusterFixture cluster)
{
    [Fact]
    public async Task GlobalMessageReachesClientsOnEveryInstanceInBothProtocols()
    {
        await using var alice = await cluster.ConnectAsync(Names.User("alice"), 0);
        await using var bob = await cluster.ConnectAsync(Names.User("bob"), 1, protocol: HubProtocolKind.MessagePack);
        await using var carol = await cluster.ConnectAsync(Names.User("carol"), 2);

        var ack = await bob.Client.SendMessageAsync(new SendMessageRequest("hello cluster"));

        foreach (var session in new[] { alice, bob, carol })
        {
            var message = await session.Events.Messages.NextAsync(m => m.Id == ack.Id);
            Assert.Equal("hello cluster", message.Text);
            Assert.Equal(bob.UserName, message.Sender.Id);
            Assert.Equal(ack.Timestamp, message.Timestamp);
            Assert.Null(message.Room);
        }
    }

    [Fact]
    public async Task RoomMessageReachesMembersOnOtherInstancesAndNotOthers()
    {
        var room = Names.Room();
        await using var alice = await cluster.ConnectAsync(Names.User("alice"), 0);
        await using var bob = await cluster.ConnectAsync(Names.User("bob"), 1, protocol: HubProtocolKind.MessagePack);
        await using var carol = await cluster.ConnectAsync(Names.User("carol"), 2);
        await using var outsider = await cluster.ConnectAsync(Names.User("outsider"), 1);
        foreach (var member in new[] { alice, bob, carol })
        {
            await member.Client.JoinRoomAsync(new JoinRoomRequest(room));
        }

        var ack = await carol.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "for the room"));

        foreach (var member in new[] { alice, bob, carol })
        {
            var message = await member.Events.RoomMessages.NextAsync();
            Assert.Equal(ack.Id, message.Id);
            Assert.Equal(room, message.Room);
            Assert.Equal("for the room", message.Text);
        }
        // bob shares the outsider's instance and has it; a global message from the same sender comes after it.
        var marker = await carol.Client.SendMessageAsync(new SendMessageRequest("marker"));
        await outsider.Events.Messages.NextAsync(m => m.Id == marker.Id);
        Assert.Empty(outsider.Events.RoomMessages.Drain());
    }

    [Fact]
    public async Task MembersJoinsAndLeavesAreSeenAcrossInstances()
    {
        var room = Names.Room();
        await using var alice = await cluster.ConnectAsync(Names.User("alice"), 0);
        await using var bob = await cluster.ConnectAsync(Names.User("bob"), 1);
        await using var carol = await cluster.ConnectAsync(Names.User("carol"), 2);

        await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));
        var bobJoined = await bob.Client.JoinRoomAsync(new JoinRoomRequest(room));

        var joinedEvent = await alice.Events.UserJoined.NextAsync();
        Assert.Equal(new RoomEvent(room, new UserInfo(bob.UserName, bob.UserName), joinedEvent.Timestamp), joinedEvent);
        Assert.Equal([alice.UserName, bob.UserName], bobJoined.Members.Select(m => m.Id).Order());
        var seenFromThirdInstance = await carol.Client.GetRoomMembersAsync(new GetRoomMembersRequest(room));
        Assert.Equal([alice.UserName, bob.UserName], seenFromThirdInstance.Select(m => m.Id).Order());

        Assert.True((await bob.Client.LeaveRoomAsync(new LeaveRoomRequest(room))).Ok);

        var leftEvent = await alice.Events.UserLeft.NextAsync();
        Assert.Equal(room, leftEvent.Room);
        Assert.Equal(bob.UserName, leftEvent.User.Id);
        var afterLeave = await carol.Client.GetRoomMembersAsync(new GetRoomMembersRequest(room));
        Assert.Equal([alice.UserName], afterLeave.Select(m => m.Id));
    }

    [Fact]
    public async Task UserJoinedAndUserLeftFollowTheUsersFirstAndLastConnectionAcrossInstances()
    {
        var room = Names.Room();
        var bobName = Names.User("bob");
        await using var alice = await cluster.ConnectAsync(Names.User("alice"), 0);
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await using var bobOn1 = await cluster.ConnectAsync(bobName, 1);
        await using var bobOn2 = await cluster.ConnectAsync(bobName, 2);

        await bobOn1.Client.JoinRoomAsync(new JoinRoomRequest(room));
        var firstJoin = await alice.Events.UserJoined.NextAsync();
        Assert.Equal(bobName, firstJoin.User.Id);
        // bob's second tab joining is not a new member: the next thing alice sees in the room is this message.
        await bobOn2.Client.JoinRoomAsync(new JoinRoomRequest(room));
        var afterSecondJoin = await bobOn2.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "second tab here"));
        await alice.Events.RoomMessages.NextAsync(m => m.Id == afterSecondJoin.Id);
        Assert.Empty(alice.Events.UserJoined.Drain());

        Assert.True((await bobOn1.Client.LeaveRoomAsync(new LeaveRoomRequest(room))).Ok);
        var afterFirstLeave = await bobOn2.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "still here"));
        await alice.Events.RoomMessages.NextAsync(m => m.Id == afterFirstLeave.Id);
        Assert.Empty(alice.Events.UserLeft.Drain());
        Assert.Contains(bobName, (await alice.Client.GetRoomMembersAsync(new GetRoomMembersRequest(room))).Select(m => m.Id));

        // Closing the last connection leaves the room.
        await bobOn2.Client.StopAsync();
        var left = await alice.Events.UserLeft.NextAsync();
        Assert.Equal(bobName, left.User.Id);
        Assert.DoesNotContain(bobName, (await alice.Client.GetRoomMembersAsync(new GetRoomMembersRequest(room))).Select(m => m.Id));
    }

    [Fact]
    public async Task RoomHistoryIsSharedByEveryInstance()
    {
        var room = Names.Room();
        await using var alice = await cluster.ConnectAsync(Names.User("alice"), 0);
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));
        var acks = new List<MessageAck>();
        for (var i = 0; i < 3; i++)
        {
            acks.Add(await alice.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, $"m{i}")));
        }

        await using var bob = await cluster.ConnectAsync(Names.User("bob"), 1);
        var joined = await bob.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await using var carol = await cluster.ConnectAsync(Names.User("carol"), 2);
        var missed = await carol.Client.JoinRoomAsync(new JoinRoomRequest(room, SinceId: acks[0].Id));
        var page = await carol.Client.GetRoomHistoryAsync(new GetRoomHistoryRequest(room, BeforeId: acks[2].Id));

        Assert.Equal(acks.Select(a => a.Id), joined.History.Select(m => m.Id));
        Assert.Equal(["m0", "m1", "m2"], joined.History.Select(m => m.Text));
        Assert.Equal(acks.Skip(1).Select(a => a.Id), missed.History.Select(m => m.Id));
        Assert.False(missed.HistoryTruncated);
        Assert.Equal(acks.Take(2).Select(a => a.Id), page.Select(m => m.Id));
        Assert.True(acks[0].Id < acks[1].Id && acks[1].Id < acks[2].Id);
    }

    [Fact]
    public async Task RoomMembershipIsPerConnectionEvenForTheSameUserOnAnotherInstance()
    {
        var room = Names.Room();
        var aliceName = Names.User("alice");
        await using var aliceOn0 = await cluster.ConnectAsync(aliceName, 0);
        await using var aliceOn2 = await cluster.ConnectAsync(aliceName, 2);
        await aliceOn0.Client.JoinRoomAsync(new JoinRoomRequest(room));

        var error = await Assert.ThrowsAsync<HubException>(() =>
            aliceOn2.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "not joined here")));

        Assert.Contains("not a member", error.Message, StringComparison.Ordinal);
        // The refused call did no harm: the connection still works and nothing reached the room.
        var ok = await aliceOn0.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "joined here"));
        Assert.Equal(ok.Id, (await aliceOn0.Events.RoomMessages.NextAsync()).Id);
        Assert.Equal(HubConnectionState.Connected, aliceOn2.Client.State);
    }

    [Fact]
    public async Task DirectMessageReachesEveryConnectionOfTheTargetOnEveryInstanceOnce()
    {
        var targetName = Names.User("target");
        var senderName = Names.User("sender");
        await using var targetOn0 = await cluster.ConnectAsync(targetName, 0);
        await using var targetOn1 = await cluster.ConnectAsync(targetName, 1, protocol: HubProtocolKind.MessagePack);
        await using var targetOn2 = await cluster.ConnectAsync(targetName, 2, HttpTransportType.LongPolling);
        await using var senderOn1 = await cluster.ConnectAsync(senderName, 1);
        await using var senderOn2 = await cluster.ConnectAsync(senderName, 2);
        await using var bystander = await cluster.ConnectAsync(Names.User("bystander"), 0);

        var first = await senderOn1.Client.SendDirectMessageAsync(new SendDirectMessageRequest(targetName, "psst"));
        var second = await senderOn1.Client.SendDirectMessageAsync(new SendDirectMessageRequest(targetName, "again"));

        // Every connection of both users gets each message exactly once, in order.
        foreach (var session in new[] { targetOn0, targetOn1, targetOn2, senderOn1, senderOn2 })
        {
            var a = await session.Events.DirectMessages.NextAsync();
            var b = await session.Events.DirectMessages.NextAsync();
            Assert.Equal([first.Id, second.Id], [a.Id, b.Id]);
            Assert.Equal("psst", a.Text);
            Assert.Equal(senderName, a.Sender.Id);
            Assert.Null(a.Room);
        }
        var marker = await senderOn1.Client.SendMessageAsync(new SendMessageRequest("marker"));
        await bystander.Events.Messages.NextAsync(m => m.Id == marker.Id);
        Assert.Empty(bystander.Events.DirectMessages.Drain());
    }

    [Fact]
    public async Task DirectMessageToAUserWhoLeftEveryInstanceIsRefused()
    {
        var targetName = Names.User("target");
        await using var sender = await cluster.ConnectAsync(Names.User("sender"), 0);
        var target = await cluster.ConnectAsync(targetName, 2);
        await sender.Client.SendDirectMessageAsync(new SendDirectMessageRequest(targetName, "are you there?"));
        await target.Events.DirectMessages.NextAsync();

        await target.DisposeAsync();
        await sender.Events.UserDisconnected.NextAsync(e => e.User.Id == targetName);

        var error = await Assert.ThrowsAsync<HubException>(() =>
            sender.Client.SendDirectMessageAsync(new SendDirectMessageRequest(targetName, "hello?")));
        Assert.Contains("not online", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserConnectedAndUserDisconnectedFollowTheFirstAndLastConnectionClusterWide()
    {
        var bobName = Names.User("bob");
        await using var alice = await cluster.ConnectAsync(Names.User("alice"), 0);

        await using var bobOn1 = await cluster.ConnectAsync(bobName, 1);
        var connected = await alice.Events.UserConnected.NextAsync(e => e.User.Id == bobName);
        Assert.Equal(new UserInfo(bobName, bobName), connected.User);

        await using var bobOn2 = await cluster.ConnectAsync(bobName, 2);
        // bob's second connection (another instance) announces nothing; his global message from there comes next.
        var fromSecond = await bobOn2.Client.SendMessageAsync(new SendMessageRequest("second connection"));
        await alice.Events.Messages.NextAsync(m => m.Id == fromSecond.Id);
        Assert.DoesNotContain(alice.Events.UserConnected.Drain(), e => e.User.Id == bobName);

        // Only bob's first connection is in this room: alice seeing him leave it means instance 1 is handling that
        // close, and it would announce a (wrong) UserDisconnected right after.
        var room = Names.Room();
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await bobOn1.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await bobOn1.Client.StopAsync();
        await alice.Events.UserLeft.NextAsync(e => e.Room == room && e.User.Id == bobName);
        var beforeLastClose = DateTime.UtcNow;
        await bobOn2.Client.StopAsync();

        // The first UserDisconnected alice sees for bob is the one for his last connection, not his first.
        var disconnected = await alice.Events.UserDisconnected.NextAsync(e => e.User.Id == bobName);
        Assert.True(disconnected.Timestamp >= beforeLastClose.AddMilliseconds(-1),
            $"UserDisconnected at {disconnected.Timestamp:O} came from bob's first connection closing (last closed at {beforeLastClose:O}).");

        // Back online on another instance: a new UserConnected, dated after he was gone.
        var beforeReturn = DateTime.UtcNow;
        await using var bobAgain = await cluster.ConnectAsync(bobName, 0);
        var reconnected = await alice.Events.UserConnected.NextAsync(e => e.User.Id == bobName);
        Assert.True(reconnected.Timestamp >= beforeReturn.AddMilliseconds(-1), "a UserConnected for bob's second connection arrived late");
    }
}
