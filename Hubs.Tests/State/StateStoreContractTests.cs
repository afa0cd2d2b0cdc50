using Hubs.Contracts;
using Hubs.Server.Chat;
using Hubs.Tests.Infrastructure;

namespace Hubs.Tests.State;

/// <summary>
/// The behaviour every state engine must have, run against the in-memory and the Redis implementations by
/// the sealed subclasses, so the server behaves the same on one instance and on many.
/// </summary>
public abstract class StateStoreContractTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    /// <summary>Fresh stores that share no state with any other call (a new key space for Redis).</summary>
    protected abstract StateStores Create(StoreSettings? settings = null);

    /// <summary>A second set of stores over the same state, as another instance sees it.</summary>
    protected abstract StateStores Reopen(StateStores stores);

    /// <summary>The stores of a server restarted later (in-memory state is gone then; shared state is not).</summary>
    protected abstract StateStores Restart(StateStores stores);

    private static UserInfo User(string name = "user") => new(Names.User(name), "Name Ünïcode ✓");

    [Fact]
    public async Task FirstConnectionBringsAUserOnlineAndTheLastTakesThemOffline()
    {
        var presence = Create().Presence;
        var alice = User("alice");

        Assert.True(await presence.AddConnectionAsync(alice, "c1", None));
        Assert.False(await presence.AddConnectionAsync(alice, "c2", None));
        Assert.True(await presence.IsOnlineAsync(alice.Id, None));
        Assert.False(await presence.RemoveConnectionAsync(alice.Id, "c1", None));
        Assert.True(await presence.IsOnlineAsync(alice.Id, None));
        Assert.True(await presence.RemoveConnectionAsync(alice.Id, "c2", None));
        Assert.False(await presence.IsOnlineAsync(alice.Id, None));
    }

    [Fact]
    public async Task AddingTheSameConnectionTwiceCountsItOnce()
    {
        var presence = Create().Presence;
        var alice = User("alice");

        Assert.True(await presence.AddConnectionAsync(alice, "c1", None));
        Assert.False(await presence.AddConnectionAsync(alice, "c1", None));

        Assert.Equal(1, Assert.Single(await presence.GetOnlineUsersAsync(None)).Connections);
        Assert.True(await presence.RemoveConnectionAsync(alice.Id, "c1", None));
    }

    [Fact]
    public async Task RemovingAnUnknownConnectionChangesNothing()
    {
        var presence = Create().Presence;
        var alice = User("alice");
        await presence.AddConnectionAsync(alice, "c1", None);

        Assert.False(await presence.RemoveConnectionAsync(alice.Id, "other", None));
        Assert.False(await presence.RemoveConnectionAsync("nobody", "c1", None));

        Assert.True(await presence.IsOnlineAsync(alice.Id, None));
    }

    [Fact]
    public async Task OnlineUsersAreOrderedByIdWithTheirNamesAndConnectionCounts()
    {
        var presence = Create().Presence;
        var bob = new UserInfo("b-user", "Bob");
        var alice = new UserInfo("a-user", "Alice");
        await presence.AddConnectionAsync(bob, "c1", None);
        await presence.AddConnectionAsync(alice, "c2", None);
        await presence.AddConnectionAsync(bob, "c3", None);

        var online = await presence.GetOnlineUsersAsync(None);

        Assert.Equal([new OnlineUserView("a-user", "Alice", 1), new OnlineUserView("b-user", "Bob", 2)],
            online.Select(user => new OnlineUserView(user.User.Id, user.User.Name, user.Connections)));
    }

    [Fact]
    public async Task PresenceIsTheSameForEveryInstance()
    {
        var one = Create();
        var other = Reopen(one);
        var alice = User("alice");

        Assert.True(await one.Presence.AddConnectionAsync(alice, "c1", None));
        Assert.False(await other.Presence.AddConnectionAsync(alice, "c2", None));
        Assert.False(await one.Presence.RemoveConnectionAsync(alice.Id, "c1", None));

        Assert.True(await other.Presence.IsOnlineAsync(alice.Id, None));
        Assert.True(await other.Presence.RemoveConnectionAsync(alice.Id, "c2", None));
        Assert.False(await one.Presence.IsOnlineAsync(alice.Id, None));
    }

    [Fact]
    public async Task JoinTellsWhetherTheUserEnteredTheRoomAndARepeatChangesNothing()
    {
        var rooms = Create().Rooms;
        var alice = User("alice");

        Assert.Equal(new(true, true), await rooms.JoinAsync("lobby", alice, "c1", None));
        Assert.Equal(new(true, false), await rooms.JoinAsync("lobby", alice, "c2", None));
        Assert.Equal(new(false, false), await rooms.JoinAsync("lobby", alice, "c1", None));

        Assert.Equal([alice], await rooms.GetMembersAsync("lobby", None));
    }

    [Fact]
    public async Task LeaveTellsWhetherTheUserLeftTheRoomAsAWhole()
    {
        var rooms = Create().Rooms;
        var alice = User("alice");
        await rooms.JoinAsync("lobby", alice, "c1", None);
        await rooms.JoinAsync("lobby", alice, "c2", None);

        Assert.Equal(new(true, false), await rooms.LeaveAsync("lobby", alice.Id, "c1", None));
        Assert.Equal(new(false, false), await rooms.LeaveAsync("lobby", alice.Id, "c1", None));
        Assert.Equal(new(true, true), await rooms.LeaveAsync("lobby", alice.Id, "c2", None));

        Assert.Empty(await rooms.GetMembersAsync("lobby", None));
        Assert.Empty(await rooms.GetRoomsAsync(None));
    }

    [Fact]
    public async Task MembershipIsPerConnection()
    {
        var rooms = Create().Rooms;
        var alice = User("alice");
        await rooms.JoinAsync("lobby", alice, "c1", None);

        Assert.True(await rooms.IsMemberAsync("lobby", "c1", None));
        Assert.False(await rooms.IsMemberAsync("lobby", "c2", None));
        Assert.False(await rooms.IsMemberAsync("other", "c1", None));
    }

    [Fact]
    public async Task MembersAreUsersOrderedByIdEachListedOnce()
    {
        var rooms = Create().Rooms;
        var bob = new UserInfo("b-user", "Bob");
        var alice = new UserInfo("a-user", "Alice");
        await rooms.JoinAsync("lobby", bob, "c1", None);
        await rooms.JoinAsync("lobby", alice, "c2", None);
        await rooms.JoinAsync("lobby", bob, "c3", None);
        await rooms.JoinAsync("elsewhere", new UserInfo("c-user", "Carol"), "c4", None);

        Assert.Equal([alice, bob], await rooms.GetMembersAsync("lobby", None));
    }

    [Fact]
    public async Task ClosingAConnectionLeavesAllItsRoomsAndNamesTheRoomsTheUserLeft()
    {
        var rooms = Create().Rooms;
        var alice = User("alice");
        await rooms.JoinAsync("b-room", alice, "c1", None);
        await rooms.JoinAsync("a-room", alice, "c1", None);
        await rooms.JoinAsync("c-room", alice, "c1", None);
        await rooms.JoinAsync("c-room", alice, "c2", None);

        var left = await rooms.RemoveConnectionAsync(alice.Id, "c1", None);

        Assert.Equal(["a-room", "b-room"], left);
        Assert.False(await rooms.IsMemberAsync("a-room", "c1", None));
        Assert.True(await rooms.IsMemberAsync("c-room", "c2", None));
        Assert.Empty(await rooms.RemoveConnectionAsync(alice.Id, "c1", None));
    }

    [Fact]
    public async Task RoomsListsOnlyRoomsWithMembersWithUserCounts()
    {
        var rooms = Create().Rooms;
        var alice = User("alice");
        var bob = User("bob");
        await rooms.JoinAsync("z-room", alice, "c1", None);
        await rooms.JoinAsync("z-room", alice, "c2", None);
        await rooms.JoinAsync("z-room", bob, "c3", None);
        await rooms.JoinAsync("a-room", bob, "c3", None);
        await rooms.JoinAsync("gone", bob, "c3", None);
        await rooms.LeaveAsync("gone", bob.Id, "c3", None);

        Assert.Equal([new RoomSummaryView("a-room", 1), new RoomSummaryView("z-room", 2)],
            (await rooms.GetRoomsAsync(None)).Select(room => new RoomSummaryView(room.Room, room.Members)));
    }

    [Fact]
    public async Task MembershipIsTheSameForEveryInstance()
    {
        var one = Create();
        var other = Reopen(one);
        var alice = User("alice");
        var bob = User("bob");

        await one.Rooms.JoinAsync("lobby", alice, "c1", None);
        Assert.Equal(new(true, true), await other.Rooms.JoinAsync("lobby", bob, "c2", None));

        Assert.Equal(2, (await other.Rooms.GetMembersAsync("lobby", None)).Count);
        Assert.True(await other.Rooms.IsMemberAsync("lobby", "c1", None));
        Assert.Equal(["lobby"], await other.Rooms.RemoveConnectionAsync(alice.Id, "c1", None));
        Assert.Equal([bob], await one.Rooms.GetMembersAsync("lobby", None));
    }

    [Fact]
    public async Task AppendedMessagesKeepEveryFieldAndGetIncreasingIds()
    {
        var history = Create().History;
        var alice = User("alice");
        var timestamp = new DateTime(2026, 11, 25, 13, 14, 15, 678, DateTimeKind.Utc).AddTicks(9);

        var first = await history.AppendAsync("lobby", alice, "hello | with\nnew line and ✓ emoji 🎉", timestamp, None);
        var second = await history.AppendAsync("lobby", alice, "second", timestamp, None);

        Assert.True(second.Id > first.Id);
        Assert.InRange(first.Id, 1, (1L << 53) - 1);
        var stored = await history.GetLatestAsync("lobby", null, 10, None);
        Assert.Equal([first, second], stored);
        Assert.Equal(DateTimeKind.Utc, stored[0].Timestamp.Kind);
        Assert.Equal("lobby", stored[0].Room);
    }

    [Fact]
    public async Task HistoryKeepsOnlyTheNewestMessagesOfEachRoom()
    {
        var history = Create(new StoreSettings(HistoryLength: 3)).History;
        var alice = User("alice");
        var sent = new List<ChatMessage>();
        for (var i = 0; i < 5; i++)
        {
            sent.Add(await history.AppendAsync("lobby", alice, $"m{i}", DateTime.UtcNow, None));
        }
        var other = await history.AppendAsync("other", alice, "elsewhere", DateTime.UtcNow, None);

        Assert.Equal(sent[2..], await history.GetLatestAsync("lobby", null, 10, None));
        Assert.Equal([other], await history.GetLatestAsync("other", null, 10, None));
    }

    [Fact]
    public async Task GetAfterReturnsWhatCameAfterAnIdOldestFirst()
    {
        var history = Create().History;
        var alice = User("alice");
        var sent = new List<ChatMessage>();
        for (var i = 0; i < 4; i++)
        {
            sent.Add(await history.AppendAsync("lobby", alice, $"m{i}", DateTime.UtcNow, None));
        }

        var slice = await history.GetAfterAsync("lobby", sent[1].Id, 10, None);

        Assert.Equal(sent[2..], slice.Messages);
        Assert.False(slice.Truncated);
        Assert.Empty((await history.GetAfterAsync("lobby", sent[3].Id, 10, None)).Messages);
        Assert.Equal(sent, (await history.GetAfterAsync("lobby", 0, 10, None)).Messages);
    }

    [Fact]
    public async Task GetAfterSaysTruncatedWhenMessagesWereTrimmedOrDidNotFit()
    {
        var history = Create(new StoreSettings(HistoryLength: 3)).History;
        var alice = User("alice");
        var sent = new List<ChatMessage>();
        for (var i = 0; i < 5; i++)
        {
            sent.Add(await history.AppendAsync("lobby", alice, $"m{i}", DateTime.UtcNow, None));
        }

        var trimmed = await history.GetAfterAsync("lobby", sent[0].Id, 10, None);
        var kept = await history.GetAfterAsync("lobby", sent[1].Id, 10, None);
        var tooMany = await history.GetAfterAsync("lobby", sent[1].Id, 2, None);

        Assert.True(trimmed.Truncated);
        Assert.Equal(sent[2..], trimmed.Messages);
        Assert.False(kept.Truncated);
        Assert.Equal(sent[2..], kept.Messages);
        Assert.True(tooMany.Truncated);
        Assert.Equal(sent[3..], tooMany.Messages);
    }

    [Fact]
    public async Task GetLatestPagesBackwardsBeforeAnId()
    {
        var history = Create().History;
        var alice = User("alice");
        var sent = new List<ChatMessage>();
        for (var i = 0; i < 5; i++)
        {
            sent.Add(await history.AppendAsync("lobby", alice, $"m{i}", DateTime.UtcNow, None));
        }

        Assert.Equal(sent[3..], await history.GetLatestAsync("lobby", null, 2, None));
        Assert.Equal(sent[1..3], await history.GetLatestAsync("lobby", sent[3].Id, 2, None));
        Assert.Equal(sent[..1], await history.GetLatestAsync("lobby", sent[1].Id, 2, None));
        Assert.Empty(await history.GetLatestAsync("lobby", sent[0].Id, 2, None));
        Assert.Empty(await history.GetLatestAsync("lobby", null, 0, None));
    }

    [Fact]
    public async Task AnUnknownRoomHasNoHistory()
    {
        var history = Create().History;

        Assert.Empty(await history.GetLatestAsync("nowhere", null, 10, None));
        var slice = await history.GetAfterAsync("nowhere", 0, 10, None);
        Assert.Empty(slice.Messages);
        Assert.False(slice.Truncated);
    }

    [Fact]
    public async Task ConcurrentSendersInARoomAreStoredInIdOrder()
    {
        var stores = Create();
        var other = Reopen(stores);
        var alice = User("alice");

        var appends = Enumerable.Range(0, 40).Select(i =>
            (i % 2 == 0 ? stores : other).History.AppendAsync("lobby", alice, $"m{i}", DateTime.UtcNow, None));
        var sent = await Task.WhenAll(appends);

        var stored = await stores.History.GetLatestAsync("lobby", null, 100, None);
        Assert.Equal(sent.Select(m => m.Id).Order(), stored.Select(m => m.Id));
        Assert.Equal(40, stored.Select(m => m.Id).Distinct().Count());
    }

    [Fact]
    public async Task MessageIdsAreUniqueIncreasingAndSafeForJavaScript()
    {
        var stores = Create();
        var other = Reopen(stores);

        var ids = await Task.WhenAll(Enumerable.Range(0, 100).Select(i =>
            (i % 2 == 0 ? stores : other).Ids.NextIdAsync(None).AsTask()));
        var next = await stores.Ids.NextIdAsync(None);

        Assert.Equal(100, ids.Distinct().Count());
        Assert.All(ids, id => Assert.InRange(id, 1, next - 1));
        Assert.True(next < 1L << 53);
        Assert.True(next > DateTimeOffset.UtcNow.AddDays(-1).ToUnixTimeMilliseconds() * 1000, "ids start from the time in microseconds");
    }

    [Fact]
    public async Task IdsFromStoresAndTheGeneratorNeverRepeat()
    {
        var stores = Create();
        var alice = User("alice");

        var message = await stores.History.AppendAsync("lobby", alice, "hi", DateTime.UtcNow, None);
        var id = await stores.Ids.NextIdAsync(None);
        var later = await stores.History.AppendAsync("other", alice, "hi", DateTime.UtcNow, None);

        Assert.True(message.Id < id && id < later.Id);
    }

    [Fact]
    public async Task IdsKeepIncreasingAfterARestart()
    {
        var stores = Create();
        var before = await stores.Ids.NextIdAsync(None);

        var restarted = Restart(stores);

        Assert.True(await restarted.Ids.NextIdAsync(None) > before);
    }

    [Fact]
    public async Task AFirstSendIsClaimedARepeatWaitsAndACompletedOneReturnsItsAck()
    {
        var sends = Create().Sends;
        var ack = new MessageAck(42, new DateTime(2026, 11, 25, 1, 2, 3, DateTimeKind.Utc));

        Assert.Equal(SendClaimStatus.Claimed, (await sends.ClaimAsync("alice", "m1", None)).Status);
        Assert.Equal(SendClaimStatus.InProgress, (await sends.ClaimAsync("alice", "m1", None)).Status);
        await sends.CompleteAsync("alice", "m1", ack, None);
        var repeat = await sends.ClaimAsync("alice", "m1", None);

        Assert.Equal(SendClaimStatus.AlreadySent, repeat.Status);
        Assert.Equal(ack, repeat.Ack);
        Assert.Equal(DateTimeKind.Utc, repeat.Ack!.Timestamp.Kind);
    }

    [Fact]
    public async Task AReleasedClaimCanBeClaimedAgainButACompletedSendIsNotReleased()
    {
        var sends = Create().Sends;
        var ack = new MessageAck(7, DateTime.UtcNow);

        await sends.ClaimAsync("alice", "m1", None);
        await sends.ReleaseAsync("alice", "m1", None);
        Assert.Equal(SendClaimStatus.Claimed, (await sends.ClaimAsync("alice", "m1", None)).Status);
        await sends.CompleteAsync("alice", "m1", ack, None);

        await sends.ReleaseAsync("alice", "m1", None);

        Assert.Equal(SendClaimStatus.AlreadySent, (await sends.ClaimAsync("alice", "m1", None)).Status);
    }

    [Fact]
    public async Task ClientMessageIdsArePerUser()
    {
        var stores = Create();
        var other = Reopen(stores);

        Assert.Equal(SendClaimStatus.Claimed, (await stores.Sends.ClaimAsync("alice", "m1", None)).Status);
        Assert.Equal(SendClaimStatus.Claimed, (await stores.Sends.ClaimAsync("bob", "m1", None)).Status);
        Assert.Equal(SendClaimStatus.Claimed, (await stores.Sends.ClaimAsync("alice:", "m1", None)).Status);
        Assert.Equal(SendClaimStatus.InProgress, (await other.Sends.ClaimAsync("alice", "m1", None)).Status);
    }

    private sealed record OnlineUserView(string Id, string Name, int Connections);

    private sealed record RoomSummaryView(string Room, int Members);
}
