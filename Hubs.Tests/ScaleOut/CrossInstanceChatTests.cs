using System.Net.Http.Json;
using Hubs.Contracts;
using Hubs.Server.Presence;
using Hubs.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Hubs.Tests.ScaleOut;

/// <summary>The chat contract when sender and receivers are connected to different instances sharing one Redis.</summary>
public sealed class CrossInstanceChatTests(RedisCluster cluster) : IClassFixture<RedisCluster>
{
    private HubsApplication A => cluster.First;

    private HubsApplication B => cluster.Second;

    [Fact]
    public async Task AnAdministratorOnOneInstanceDisconnectsAUserConnectedToAnother()
    {
        var name = Names.User("ejected");
        await using var onB = await B.ConnectChatAsync(name);
        using var admin = A.AdminHttpClient();

        using var response = await admin.PostAsync(ApiRoutes.AdminUserDisconnectOf(name), null);
        var result = await response.Content.ReadFromJsonAsync<DisconnectUserResult>();
        await onB.Closed.WaitAsync(Timeouts.Default);

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, result!.Connections);
    }

    [Fact]
    public async Task AUserRemovedFromARoomThroughAnotherInstanceCanNoLongerSendToIt()
    {
        var room = Names.Room();
        await using var bob = await B.ConnectChatAsync(Names.User("bob"));
        await bob.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await bob.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "still a member"));
        using var admin = A.AdminHttpClient();

        (await admin.DeleteAsync(ApiRoutes.AdminRoomMemberOf(room, bob.UserName))).EnsureSuccessStatusCode();
        await bob.Events.UserLeft.NextAsync(e => e.Room == room && e.User.Id == bob.UserName);

        // Membership is Redis's answer wherever the removal was made.
        var refused = await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(
            () => bob.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "let me back in")));
        Assert.Contains("not a member", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AGlobalMessageReachesClientsOnEveryInstanceOnce()
    {
        await using var alice = await A.ConnectChatAsync(Names.User("alice"));
        await using var bob = await B.ConnectChatAsync(Names.User("bob"));

        var ack = await alice.Client.SendMessageAsync(new SendMessageRequest("hello cluster"));

        foreach (var session in new[] { alice, bob })
        {
            var message = await session.Events.Messages.NextAsync(m => m.Id == ack.Id);
            Assert.Equal("hello cluster", message.Text);
            Assert.Equal(alice.UserName, message.Sender.Id);
        }
        // A marker message proves nothing else (no second copy) was queued before it.
        var marker = await bob.Client.SendMessageAsync(new SendMessageRequest("marker"));
        await alice.Events.Messages.NextAsync(m => m.Id == marker.Id);
        Assert.DoesNotContain(alice.Events.Messages.Drain(), m => m.Id == ack.Id);
    }

    [Fact]
    public async Task RoomMessagesMembersAndJoinLeaveEventsSpanInstances()
    {
        var room = Names.Room();
        await using var alice = await A.ConnectChatAsync(Names.User("alice"));
        await using var bob = await B.ConnectChatAsync(Names.User("bob"));
        await using var outsider = await B.ConnectChatAsync(Names.User("carol"));

        await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));
        var joined = await bob.Client.JoinRoomAsync(new JoinRoomRequest(room));
        var bobJoined = await alice.Events.UserJoined.NextAsync(e => e.Room == room);
        var fromBob = await bob.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "from B"));
        var fromAlice = await alice.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "from A"));

        Assert.Equal([alice.UserName, bob.UserName], joined.Members.Select(m => m.Id).Order());
        Assert.Equal(bob.UserName, bobJoined.User.Id);
        foreach (var member in new[] { alice, bob })
        {
            Assert.Equal(fromBob.Id, (await member.Events.RoomMessages.NextAsync()).Id);
            Assert.Equal(fromAlice.Id, (await member.Events.RoomMessages.NextAsync()).Id);
        }
        Assert.Equal([alice.UserName, bob.UserName], (await alice.Client.GetRoomMembersAsync(new GetRoomMembersRequest(room))).Select(m => m.Id).Order());

        await bob.Client.LeaveRoomAsync(new LeaveRoomRequest(room));
        var left = await alice.Events.UserLeft.NextAsync(e => e.Room == room);
        Assert.Equal(bob.UserName, left.User.Id);
        Assert.Equal([alice.UserName], (await alice.Client.GetRoomMembersAsync(new GetRoomMembersRequest(room))).Select(m => m.Id));
        Assert.DoesNotContain(outsider.Events.RoomMessages.Drain(), m => m.Room == room);
    }

    [Fact]
    public async Task HistoryAndRecoveryWorkWhicheverInstanceAClientRejoinsThrough()
    {
        var room = Names.Room();
        await using var alice = await A.ConnectChatAsync(Names.User("alice"));
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));
        var first = await alice.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "one"));
        var second = await alice.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "two"));
        var third = await alice.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "three"));

        await using var bob = await B.ConnectChatAsync(Names.User("bob"));
        var recent = await bob.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await using var bobAgain = await B.ConnectChatAsync(bob.UserName);
        var missed = await bobAgain.Client.JoinRoomAsync(new JoinRoomRequest(room, SinceId: first.Id));
        var page = await bob.Client.GetRoomHistoryAsync(new GetRoomHistoryRequest(room, BeforeId: third.Id, Limit: 1));

        Assert.Equal([first.Id, second.Id, third.Id], recent.History.Select(m => m.Id));
        Assert.Equal([second.Id, third.Id], missed.History.Select(m => m.Id));
        Assert.False(missed.HistoryTruncated);
        Assert.Equal([second.Id], page.Select(m => m.Id));
    }

    [Fact]
    public async Task ADirectMessageReachesEveryConnectionOfBothUsersOnEveryInstance()
    {
        var bobName = Names.User("bob");
        await using var alice = await A.ConnectChatAsync(Names.User("alice"));
        await using var aliceOtherTab = await B.ConnectChatAsync(alice.UserName);
        await using var bobOnA = await A.ConnectChatAsync(bobName);
        await using var bobOnB = await B.ConnectChatAsync(bobName);
        await using var carol = await B.ConnectChatAsync(Names.User("carol"));

        var ack = await alice.Client.SendDirectMessageAsync(new SendDirectMessageRequest(bobName, "psst"));

        foreach (var (session, where) in new[] { (alice, "alice on A"), (aliceOtherTab, "alice on B"), (bobOnA, "bob on A"), (bobOnB, "bob on B") })
        {
            ChatMessage message;
            try
            {
                message = await session.Events.DirectMessages.NextAsync();
            }
            catch (TimeoutException e)
            {
                // Which connection missed it says which path failed: local delivery, or the bus to the other instance.
                throw new TimeoutException($"The direct message did not reach {where}.", e);
            }
            Assert.Equal(ack.Id, message.Id);
            Assert.Equal("psst", message.Text);
        }
        var marker = await alice.Client.SendMessageAsync(new SendMessageRequest("marker"));
        await carol.Events.Messages.NextAsync(m => m.Id == marker.Id);
        Assert.Empty(carol.Events.DirectMessages.Drain());
        Assert.Empty(bobOnB.Events.DirectMessages.Drain());
    }

    [Fact]
    public async Task ADirectMessageToAUserOnlineOnlyOnAnotherInstanceIsAccepted()
    {
        await using var alice = await A.ConnectChatAsync(Names.User("alice"));
        await using var bob = await B.ConnectChatAsync(Names.User("bob"));

        var ack = await alice.Client.SendDirectMessageAsync(new SendDirectMessageRequest(bob.UserName, "hi"));

        Assert.Equal(ack.Id, (await bob.Events.DirectMessages.NextAsync()).Id);
        var error = await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() =>
            alice.Client.SendDirectMessageAsync(new SendDirectMessageRequest(Names.User("nobody"), "hi")));
        Assert.Contains("is not online", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserConnectedAndDisconnectedFollowTheFirstAndLastConnectionClusterWide()
    {
        var bobName = Names.User("bob");
        var presence = A.Services.GetRequiredService<IPresenceStore>();
        Task<bool> BobHasConnections(int count) => presence.GetOnlineUsersAsync(default)
            .ContinueWith(t => (t.Result.FirstOrDefault(u => u.User.Id == bobName)?.Connections ?? 0) == count, TaskScheduler.Default);
        await using var alice = await A.ConnectChatAsync(Names.User("alice"));

        var bobOnA = await A.ConnectChatAsync(bobName);
        Assert.Equal(bobName, (await alice.Events.UserConnected.NextAsync(e => e.User.Id == bobName)).User.Id);
        var bobOnB = await B.ConnectChatAsync(bobName);
        await Eventually.HoldsAsync(() => BobHasConnections(2), "bob has two connections");
        await using (var carol = await B.ConnectChatAsync(Names.User("carol")))
        {
            // Carol's arrival is the barrier: bob's second tab must not have announced him again before it.
            var next = await alice.Events.UserConnected.NextAsync(e => e.User.Id == carol.UserName || e.User.Id == bobName);
            Assert.Equal(carol.UserName, next.User.Id);
        }

        await bobOnA.DisposeAsync();
        await Eventually.HoldsAsync(() => BobHasConnections(1), "bob's first connection is gone");
        var dave = await A.ConnectChatAsync(Names.User("dave"));
        await dave.DisposeAsync();
        var afterFirstClose = await alice.Events.UserDisconnected.NextAsync(e => e.User.Id == dave.UserName || e.User.Id == bobName);
        Assert.Equal(dave.UserName, afterFirstClose.User.Id);
        await bobOnB.DisposeAsync();
        Assert.Equal(bobName, (await alice.Events.UserDisconnected.NextAsync(e => e.User.Id == bobName)).User.Id);
    }

    [Fact]
    public async Task ClosingTheLastConnectionLeavesItsRoomsForMembersOnOtherInstances()
    {
        var room = Names.Room();
        await using var alice = await A.ConnectChatAsync(Names.User("alice"));
        var bob = await B.ConnectChatAsync(Names.User("bob"));
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await bob.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await alice.Events.UserJoined.NextAsync(e => e.Room == room);

        await bob.DisposeAsync();

        var left = await alice.Events.UserLeft.NextAsync(e => e.Room == room);
        Assert.Equal(bob.UserName, left.User.Id);
        Assert.Equal([alice.UserName], (await alice.Client.GetRoomMembersAsync(new GetRoomMembersRequest(room))).Select(m => m.Id));
    }

    [Fact]
    public async Task AResendThroughAnotherInstanceGetsTheOriginalAckAndIsNotDeliveredTwice()
    {
        var room = Names.Room();
        var aliceName = Names.User("alice");
        await using var alice = await A.ConnectChatAsync(aliceName);
        await using var aliceAfterReconnect = await B.ConnectChatAsync(aliceName);
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await aliceAfterReconnect.Client.JoinRoomAsync(new JoinRoomRequest(room));

        var ack = await alice.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "once", "client-1"));
        var resent = await aliceAfterReconnect.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "once", "client-1"));

        Assert.Equal(ack, resent);
        var history = await alice.Client.GetRoomHistoryAsync(new GetRoomHistoryRequest(room));
        Assert.Equal([ack.Id], history.Select(m => m.Id));
    }
}
