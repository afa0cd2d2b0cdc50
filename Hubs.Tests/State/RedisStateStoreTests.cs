using Hubs.Server.Chat;
using Hubs.Server.Presence;
using Hubs.Server.Rooms;
using Hubs.Server.Scaleout;
using Hubs.Server.State;
using Hubs.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Hubs.Tests.State;

/// <summary>The state contract on a real redis-server; each test gets its own key prefix.</summary>
public sealed class RedisStateStoreTests(RedisFixture redis) : StateStoreContractTests, IClassFixture<RedisFixture>
{
    private readonly Dictionary<StateStores, (string Prefix, StoreSettings Settings)> _created = [];

    protected override StateStores Create(StoreSettings? settings = null)
    {
        var prefix = "test-" + Guid.NewGuid().ToString("N");
        settings ??= new StoreSettings();
        var stores = Build(prefix, settings, new InstanceIdentity());
        _created[stores] = (prefix, settings);
        return stores;
    }

    protected override StateStores Reopen(StateStores stores)
    {
        var (prefix, settings) = _created[stores];
        return Build(prefix, settings, new InstanceIdentity());
    }

    protected override StateStores Restart(StateStores stores) => Reopen(stores);

    private StateStores Build(string prefix, StoreSettings settings, InstanceIdentity instance)
    {
        var keys = new RedisKeys(prefix);
        var connection = redis.Connection;
        var time = TimeProvider.System;
        var chat = Options.Create(new ChatOptions { DeduplicationWindow = settings.DeduplicationWindow ?? TimeSpan.FromMinutes(2) });
        return new StateStores(
            new RedisPresenceStore(connection, keys, instance),
            new RedisRoomMembershipStore(connection, keys),
            new RedisRoomHistoryStore(connection, keys, Options.Create(new RoomOptions { HistoryLength = settings.HistoryLength }), time),
            new RedisMessageIdGenerator(connection, keys, time),
            new RedisSendDeduplicator(connection, keys, chat, Options.Create(new RedisOptions())));
    }

    [Fact]
    public async Task AnAbandonedClaimExpiresSoonWhileACompletedAckIsKeptForTheWindow()
    {
        var keys = new RedisKeys("test-" + Guid.NewGuid().ToString("N"));
        var chat = Options.Create(new ChatOptions { DeduplicationWindow = TimeSpan.FromMinutes(2) });
        var sends = new RedisSendDeduplicator(redis.Connection, keys, chat, Options.Create(new RedisOptions { SendClaimExpiry = TimeSpan.FromSeconds(1) }));
        var db = redis.Connection.GetDatabase();

        await sends.ClaimAsync("alice", "crashed", CancellationToken.None);
        await sends.ClaimAsync("alice", "done", CancellationToken.None);
        await sends.CompleteAsync("alice", "done", new Hubs.Contracts.MessageAck(1, DateTime.UtcNow), CancellationToken.None);

        // Redis enforces the lifetimes; read them rather than waiting for them to run out.
        var claimTtl = await db.KeyTimeToLiveAsync(keys.Sent("alice", "crashed"));
        var ackTtl = await db.KeyTimeToLiveAsync(keys.Sent("alice", "done"));
        Assert.InRange(claimTtl!.Value, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(1));
        Assert.InRange(ackTtl!.Value, TimeSpan.FromSeconds(100), TimeSpan.FromMinutes(2));
    }

    [Fact]
    public async Task RemovingAUserFromARoomTakesOutAllTheirConnectionsThereAndNothingElse()
    {
        var stores = Create();
        var rooms = (RedisRoomMembershipStore)stores.Rooms;
        var alice = new Hubs.Contracts.UserInfo("alice", "Alice");
        var bob = new Hubs.Contracts.UserInfo("bob", "Bob");
        var none = CancellationToken.None;
        foreach (var (user, connection) in new[] { (alice, "a1"), (alice, "a2"), (alice, "a3"), (bob, "b1") })
        {
            await stores.Presence.AddConnectionAsync(user, connection, none);
        }
        await rooms.JoinAsync("lobby", alice, "a1", none);
        await rooms.JoinAsync("lobby", alice, "a2", none);
        await rooms.JoinAsync("other", alice, "a3", none);
        await rooms.JoinAsync("lobby", bob, "b1", none);

        var removal = await rooms.RemoveUserAsync("lobby", "alice", none);
        var again = await rooms.RemoveUserAsync("lobby", "alice", none);

        Assert.Equal(alice, removal!.User);
        Assert.Equal(["a1", "a2"], removal.ConnectionIds);
        Assert.Null(again);
        Assert.Equal([bob], await rooms.GetMembersAsync("lobby", none));
        Assert.False(await rooms.IsMemberAsync("lobby", "a1", none));
        Assert.True(await rooms.IsMemberAsync("other", "a3", none));
        Assert.Empty(await rooms.RemoveConnectionAsync("alice", "a1", none));
        await rooms.RemoveUserAsync("lobby", "bob", none);
        Assert.Equal(["other"], (await rooms.GetRoomsAsync(none)).Select(room => room.Room));
    }

    [Fact]
    public async Task EveryKeyLivesUnderTheConfiguredPrefix()
    {
        var stores = Create();
        var prefix = _created[stores].Prefix;
        var alice = new Hubs.Contracts.UserInfo("alice", "Alice");
        await stores.Presence.AddConnectionAsync(alice, "c1", CancellationToken.None);
        await stores.Rooms.JoinAsync("lobby", alice, "c1", CancellationToken.None);
        await stores.History.AppendAsync("lobby", alice, "hi", DateTime.UtcNow, CancellationToken.None);
        await stores.Sends.ClaimAsync("alice", "m1", CancellationToken.None);

        var server = redis.Connection.GetServers().Single();
        var keys = new List<string>();
        await foreach (var key in server.KeysAsync(pattern: "*"))
        {
            keys.Add(key!);
        }
        var mine = keys.Where(key => key.StartsWith(prefix + ":", StringComparison.Ordinal)).ToList();

        Assert.True(mine.Count >= 8, $"expected this test's keys under {prefix}, found {mine.Count}");
        Assert.DoesNotContain(keys, key => key.Contains("alice", StringComparison.Ordinal) && !key.StartsWith("test-", StringComparison.Ordinal));
    }
    [Fact]
    public async Task FallbackIdsLieAboveEveryRedisIdStayBelow2Pow53AndDifferBetweenInstances()
    {
        var keys = new RedisKeys("test-" + Guid.NewGuid().ToString("N"));
        var db = redis.Connection.GetDatabase();
        var time = TimeProvider.System;
        var first = new FallbackMessageIds();
        var second = new FallbackMessageIds();
        Assert.Throws<Microsoft.AspNetCore.SignalR.HubException>(() => first.Next());

        await first.ReserveAsync(db, keys, time);
        await second.ReserveAsync(db, keys, time);
        long[] ids = [first.Next(), first.Next(), second.Next()];
        first.Renew();
        Assert.True(first.NeedsSlot);
        await first.ReserveAsync(db, keys, time);
        ids = [.. ids, first.Next()];
        var redisId = await new RedisMessageIdGenerator(redis.Connection, keys, time).NextIdAsync(CancellationToken.None);

        Assert.All(ids, id => Assert.InRange(id, FallbackMessageIds.Base, (1L << 53) - 1));
        Assert.Equal(ids.Length, ids.Distinct().Count());
        Assert.True(ids[1] > ids[0]);
        Assert.True(redisId < FallbackMessageIds.Base);
        Assert.False(FallbackMessageIds.IsFallback(redisId));
        Assert.False(first.NeedsSlot);
    }

    [Fact]
    public async Task AnAckCopiedInAfterAnOutageKeepsItsLocalOnlyMarkButNeverReplacesAnAckRedisAlreadyHolds()
    {
        var keys = new RedisKeys("test-" + Guid.NewGuid().ToString("N"));
        var chat = Options.Create(new ChatOptions());
        var sends = new RedisSendDeduplicator(redis.Connection, keys, chat, Options.Create(new RedisOptions()));
        var at = new DateTime(2026, 11, 25, 1, 2, 3, DateTimeKind.Utc);
        var none = CancellationToken.None;

        await sends.RecordAsync("alice", "offline", new Hubs.Contracts.MessageAck(1L << 52, at, LocalOnly: true), TimeSpan.FromMinutes(1));
        await sends.ClaimAsync("alice", "claimed", none);
        await sends.RecordAsync("alice", "claimed", new Hubs.Contracts.MessageAck(5, at, LocalOnly: true), TimeSpan.FromMinutes(1));
        await sends.ClaimAsync("alice", "kept", none);
        await sends.CompleteAsync("alice", "kept", new Hubs.Contracts.MessageAck(6, at), none);
        await sends.RecordAsync("alice", "kept", new Hubs.Contracts.MessageAck(7, at, LocalOnly: true), TimeSpan.FromMinutes(1));

        Assert.Equal(new Hubs.Contracts.MessageAck(1L << 52, at, LocalOnly: true), (await sends.ClaimAsync("alice", "offline", none)).Ack);
        Assert.Equal(new Hubs.Contracts.MessageAck(5, at, LocalOnly: true), (await sends.ClaimAsync("alice", "claimed", none)).Ack);
        Assert.Equal(new Hubs.Contracts.MessageAck(6, at), (await sends.ClaimAsync("alice", "kept", none)).Ack);
    }

    [Fact]
    public async Task ARoomSendStoredOverRedisIsAckedToResendsWithoutASecondWriteOfTheAck()
    {
        var keys = new RedisKeys("test-" + Guid.NewGuid().ToString("N"));
        var chat = Options.Create(new ChatOptions { DeduplicationWindow = TimeSpan.FromMinutes(2) });
        var sends = new RedisSendDeduplicator(redis.Connection, keys, chat, Options.Create(new RedisOptions()));
        var history = new RedisRoomHistoryStore(redis.Connection, keys, Options.Create(new RoomOptions()), TimeProvider.System);
        ISendDeduplicator viaInterface = sends;
        IRoomMessenger messenger = new RedisRoomMessenger(history, keys, chat);
        var alice = new Hubs.Contracts.UserInfo("alice", "Alice");
        var at = new DateTime(2026, 11, 25, 1, 2, 3, DateTimeKind.Utc).AddTicks(7);
        var none = CancellationToken.None;

        Assert.True(messenger.RecordsAcks);
        Assert.Equal(SendClaimStatus.Claimed, (await sends.ClaimAsync("alice", "room-send", none)).Status);
        var stored = await messenger.PostAsync("lobby", alice, "hi", at, "room-send", none);
        await viaInterface.CompleteRecordedAsync("alice", "room-send", new Hubs.Contracts.MessageAck(stored.Id, at), none);
        await sends.ClaimAsync("alice", "plain-send", none);
        await sends.CompleteAsync("alice", "plain-send", new Hubs.Contracts.MessageAck(stored.Id, at), none);

        // The script's record is what CompleteAsync would have written, with the same lifetime.
        var db = redis.Connection.GetDatabase();
        Assert.Equal(await db.StringGetAsync(keys.Sent("alice", "plain-send")), await db.StringGetAsync(keys.Sent("alice", "room-send")));
        Assert.InRange((await db.KeyTimeToLiveAsync(keys.Sent("alice", "room-send")))!.Value, TimeSpan.FromSeconds(100), TimeSpan.FromMinutes(2));
        var resend = await sends.ClaimAsync("alice", "room-send", none);
        Assert.Equal(SendClaimStatus.AlreadySent, resend.Status);
        Assert.Equal(new Hubs.Contracts.MessageAck(stored.Id, at), resend.Ack);
    }
}
