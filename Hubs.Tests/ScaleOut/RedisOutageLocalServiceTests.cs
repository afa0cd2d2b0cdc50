using Hubs.Contracts;
using Hubs.Server.Scaleout;
using Hubs.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using StackExchange.Redis;

namespace Hubs.Tests.ScaleOut;

/// <summary>
/// What an instance still does for its own clients while redis-server is down (killed by PID), and what it refuses:
/// two instances, Alice and Carol on the first, Bob on the second.
/// </summary>
/// <remarks>Each test has its own cluster: stopping Redis must not disturb other tests.</remarks>
public sealed class RedisOutageLocalServiceTests : IAsyncLifetime
{
    private const long FirstFallbackId = 1L << 52;

    private readonly RedisCluster _cluster = RedisCluster.With(new Dictionary<string, string?>
    {
        ["Redis:SendClaimExpiry"] = "00:00:02",
        ["Redis:PresenceExpiry"] = "00:00:03",
    });

    private ChatSession _alice = null!;
    private ChatSession _carol = null!;
    private ChatSession _bob = null!;

    public async Task InitializeAsync()
    {
        await _cluster.InitializeAsync();
        _alice = await _cluster.First.ConnectChatAsync(Names.User("alice"));
        _carol = await _cluster.First.ConnectChatAsync(Names.User("carol"));
        _bob = await _cluster.Second.ConnectChatAsync(Names.User("bob"));
    }

    public async Task DisposeAsync()
    {
        foreach (var session in new[] { _alice, _carol, _bob })
        {
            await session.DisposeAsync();
        }
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task DuringAnOutageGlobalMessagesReachTheSameInstanceWithALocalOnlyAckAndEveryoneAgainAfterIt()
    {
        await KillRedisAsync();

        var first = await _alice.Client.SendMessageAsync(new SendMessageRequest("only this instance"));
        var second = await _alice.Client.SendMessageAsync(new SendMessageRequest("still only this instance"));

        Assert.True(first.LocalOnly, "the ack must not claim delivery to everyone");
        Assert.InRange(first.Id, FirstFallbackId, (1L << 53) - 1);
        Assert.True(second.Id > first.Id);
        foreach (var local in new[] { _alice, _carol })
        {
            Assert.Equal([first.Id, second.Id], [(await local.Events.Messages.NextAsync()).Id, (await local.Events.Messages.NextAsync()).Id]);
        }

        await RestartRedisAsync();
        var everyone = await Outage.RetryAsync(() => _alice.Client.SendMessageAsync(new SendMessageRequest("everyone again")), ack => !ack.LocalOnly);

        Assert.False(everyone.LocalOnly);
        Assert.True(everyone.Id < FirstFallbackId, "ids from Redis never enter the fallback range");
        // Bob's first global message is the one sent after the outage: the local ones never left the first instance.
        Assert.Equal(everyone.Id, (await _bob.Events.Messages.NextAsync()).Id);
        Assert.Equal(everyone.Id, (await _carol.Events.Messages.NextAsync(m => m.Id == everyone.Id)).Id);
    }

    [Fact]
    public async Task DuringAnOutageADirectMessageReachesARecipientOnTheSameInstanceAndIsRefusedForAnyoneElse()
    {
        await KillRedisAsync();

        var local = await _alice.Client.SendDirectMessageAsync(new SendDirectMessageRequest(_carol.UserName, "same instance"));
        Assert.True(local.LocalOnly);
        Assert.Equal(local.Id, (await _carol.Events.DirectMessages.NextAsync()).Id);
        Assert.Equal(local.Id, (await _alice.Events.DirectMessages.NextAsync()).Id);

        var elsewhere = await Assert.ThrowsAsync<HubException>(() =>
            _alice.Client.SendDirectMessageAsync(new SendDirectMessageRequest(_bob.UserName, "other instance")));
        Assert.Contains(Outage.Unavailable, elsewhere.Message, StringComparison.Ordinal);
        // Nobody can tell whether an unknown user is online elsewhere: not "not online", but "retry".
        var unknown = await Assert.ThrowsAsync<HubException>(() =>
            _alice.Client.SendDirectMessageAsync(new SendDirectMessageRequest(Names.User("nobody"), "anyone?")));
        Assert.Contains(Outage.Unavailable, unknown.Message, StringComparison.Ordinal);

        await RestartRedisAsync();
        var across = await Outage.RetryAsync(
            () => _alice.Client.SendDirectMessageAsync(new SendDirectMessageRequest(_bob.UserName, "other instance")));

        Assert.False(across.LocalOnly);
        // The refused attempt was not delivered: Bob's first direct message is the accepted one.
        Assert.Equal(across.Id, (await _bob.Events.DirectMessages.NextAsync()).Id);
    }

    [Fact]
    public async Task DuringAnOutageRoomCallsFailClearlyAndTheConnectionStaysUsable()
    {
        var room = Names.Room();
        await _alice.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await _bob.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await KillRedisAsync();

        foreach (var call in new Func<Task>[]
        {
            () => _alice.Client.JoinRoomAsync(new JoinRoomRequest(Names.Room())),
            () => _alice.Client.LeaveRoomAsync(new LeaveRoomRequest(room)),
            () => _alice.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "not kept, not sent")),
            () => _alice.Client.GetRoomMembersAsync(new GetRoomMembersRequest(room)),
        })
        {
            var refused = await Assert.ThrowsAsync<HubException>(call);
            Assert.Contains(Outage.Unavailable, refused.Message, StringComparison.Ordinal);
        }
        Assert.Equal(HubConnectionState.Connected, _alice.Client.State);
        Assert.True((await _alice.Client.SendMessageAsync(new SendMessageRequest("still here"))).LocalOnly);

        await RestartRedisAsync();

        // The refused leave changed nothing: Alice is still a member, and the room works across instances.
        var members = await Outage.RetryAsync(() => _bob.Client.GetRoomMembersAsync(new GetRoomMembersRequest(room)));
        Assert.Equal(new[] { _alice.UserName, _bob.UserName }.Order(StringComparer.Ordinal), members.Select(m => m.Id));
        var sent = await Outage.RetryAsync(() => _bob.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "after")));
        Assert.Equal(sent.Id, (await _alice.Events.RoomMessages.NextAsync()).Id);
        var history = await _alice.Client.GetRoomHistoryAsync(new GetRoomHistoryRequest(room));
        Assert.Equal([sent.Id], history.Select(m => m.Id));
    }

    [Fact]
    public async Task AResendOfALocalOnlyMessageGetsTheOriginalAckDuringTheOutageAndThroughAnotherInstanceAfterIt()
    {
        await KillRedisAsync();
        var request = new SendMessageRequest("exactly once", "resent-1");

        var ack = await _alice.Client.SendMessageAsync(request);
        var resent = await _alice.Client.SendMessageAsync(request);

        Assert.True(ack.LocalOnly);
        Assert.Equal(ack, resent);
        Assert.Equal(ack.Id, (await _carol.Events.Messages.NextAsync()).Id);

        await RestartRedisAsync();
        // Copied into Redis by the first instance's heartbeat once Redis is back.
        await using (var redis = await ConnectionMultiplexer.ConnectAsync(_cluster.Redis.ConnectionString))
        {
            var sent = new RedisKeys(_cluster.Prefix).Sent(_alice.UserName, "resent-1");
            await Eventually.HoldsAsync(() => redis.GetDatabase().KeyExistsAsync(sent), "the ack is kept in Redis", TimeSpan.FromSeconds(30));
        }
        await using var aliceElsewhere = await _cluster.Second.ConnectChatAsync(_alice.UserName);
        var viaSecond = await aliceElsewhere.Client.SendMessageAsync(request);
        var viaFirst = await _alice.Client.SendMessageAsync(request);

        Assert.Equal(ack, viaSecond);
        Assert.Equal(ack, viaFirst);
        var next = await Outage.RetryAsync(() => _alice.Client.SendMessageAsync(new SendMessageRequest("next")), a => !a.LocalOnly);
        // None of the resends was delivered again.
        var later = await _carol.Events.Messages.ReadThroughAsync(m => m.Id == next.Id);
        Assert.DoesNotContain(later, m => m.Text == request.Text);
    }

    [Fact]
    public async Task AClientConnectingDuringAnOutageIsServedLocallyAndAnnouncedClusterWideOnceRedisIsBack()
    {
        await KillRedisAsync();

        await using var dave = await _cluster.First.ConnectChatAsync(Names.User("dave"));
        var hello = await _carol.Client.SendMessageAsync(new SendMessageRequest("hello dave"));
        Assert.Equal(hello.Id, (await dave.Events.Messages.NextAsync()).Id);
        var direct = await _carol.Client.SendDirectMessageAsync(new SendDirectMessageRequest(dave.UserName, "welcome"));
        Assert.True(direct.LocalOnly);
        Assert.Equal(direct.Id, (await dave.Events.DirectMessages.NextAsync()).Id);

        await RestartRedisAsync();

        await _bob.Events.UserConnected.NextAsync(e => e.User.Id == dave.UserName, TimeSpan.FromSeconds(30));
        var fromBob = await Outage.RetryAsync(
            () => _bob.Client.SendDirectMessageAsync(new SendDirectMessageRequest(dave.UserName, "hi from the other instance")), a => !a.LocalOnly);
        Assert.Equal(fromBob.Id, (await dave.Events.DirectMessages.NextAsync()).Id);
        Assert.Equal(HubConnectionState.Connected, dave.Client.State);
    }

    private async Task KillRedisAsync()
    {
        _cluster.Redis.Kill();
        await Outage.NoticedByAsync(_cluster.First);
    }

    private async Task RestartRedisAsync()
    {
        await _cluster.Redis.RestartAsync();
        await Outage.OverAsync(_cluster);
    }
}
