using System.Net;
using Hubs.Contracts;
using Hubs.Server.Chat;
using Hubs.Server.Scaleout;
using Hubs.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Hubs.Tests.ScaleOut;

/// <summary>
/// Two instances whose Redis loses its data (restarted empty, or flushed while connected): each instance writes its
/// connections and rooms back at once, and a member is never told it is not a member meanwhile.
/// </summary>
/// <remarks>
/// Beside <see cref="RedisOutageTests"/>, with a long Redis:PresenceExpiry: the heartbeat (every PresenceExpiry / 3
/// = 20 s) must not be what repairs the state, so every wait here is shorter than one heartbeat. Its own cluster:
/// these tests stop and flush Redis.
/// </remarks>
public sealed class RedisDataLossTests : IAsyncLifetime
{
    private static readonly TimeSpan ShorterThanAHeartbeat = TimeSpan.FromSeconds(15);

    private readonly RedisCluster _cluster = RedisCluster.With(new Dictionary<string, string?>
    {
        ["Redis:SendClaimExpiry"] = "00:00:02",
        ["Redis:PresenceExpiry"] = "00:01:00",
    });

    private ConnectionMultiplexer _admin = null!;

    private RedisKeys Keys => new(_cluster.Prefix);

    public async Task InitializeAsync()
    {
        await _cluster.InitializeAsync();
        _admin = await ConnectionMultiplexer.ConnectAsync($"{_cluster.Redis.ConnectionString},allowAdmin=true,abortConnect=false");
    }

    public async Task DisposeAsync()
    {
        await _admin.DisposeAsync();
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task AfterRedisRestartsEmptyMembersCanSendAtOnceSeeEachOtherAndInstancesAreReadyOnlyOnceTheirStateIsBack()
    {
        var room = Names.Room();
        var (pa, pb) = await MembersOnBothInstancesAsync(room);
        await using var paSession = pa;
        await using var pbSession = pb;

        _cluster.Redis.Kill();
        await Outage.NoticedByAsync(_cluster.First);
        await Outage.NoticedByAsync(_cluster.Second);
        _cluster.Redis.WipeData();
        await _cluster.Redis.RestartAsync();

        // The members send from the moment Redis is back, as the user in the report did.
        var sendA = SendUntilAckedAsync(pa, new SendRoomMessageRequest(room, "from pa", "pa-after-restart"));
        var sendB = SendUntilAckedAsync(pb, new SendRoomMessageRequest(room, "from pb", "pb-after-restart"));
        await Task.WhenAll(
            ReadyOnlyOnceRegisteredAsync(_cluster.First, pa.UserName, room),
            ReadyOnlyOnceRegisteredAsync(_cluster.Second, pb.UserName, room));
        var ackA = await sendA;
        var ackB = await sendB;

        // Both instances are ready, so both have written their members back: no retry needed.
        string[] both = [.. new[] { pa.UserName, pb.UserName }.Order(StringComparer.Ordinal)];
        Assert.Equal(both, (await pb.Client.GetRoomMembersAsync(new GetRoomMembersRequest(room))).Select(m => m.Id));
        Assert.Equal(both, (await pa.Client.GetRoomMembersAsync(new GetRoomMembersRequest(room))).Select(m => m.Id));
        Assert.Equal(ackA.Id, (await pb.Events.RoomMessages.NextAsync(m => m.Id == ackA.Id)).Id);
        Assert.Equal(ackB.Id, (await pa.Events.RoomMessages.NextAsync(m => m.Id == ackB.Id)).Id);
    }

    [Fact]
    public async Task WhenRedisIsFlushedWithoutDisconnectingAMembersSendIsRetriedAndAckedLongBeforeTheNextHeartbeat()
    {
        var room = Names.Room();
        var (pa, pb) = await MembersOnBothInstancesAsync(room);
        await using var paSession = pa;
        await using var pbSession = pb;

        // No reconnect tells the instances: only Redis's answers do.
        await _admin.GetServers()[0].FlushDatabaseAsync();

        var ack = await SendUntilAckedAsync(pa, new SendRoomMessageRequest(room, "after the flush", "pa-after-flush"));

        Assert.Equal(ack.Id, (await pb.Events.RoomMessages.NextAsync(m => m.Id == ack.Id)).Id);
        Assert.Contains(pa.UserName, (await pa.Client.GetRoomMembersAsync(new GetRoomMembersRequest(room))).Select(m => m.Id));
    }

    [Fact]
    public async Task AfterRedisComesBackWithoutRoomsAKnownConnectionJoinedLaterItsMemberCanSendAndIsListedAgain()
    {
        var room = Names.Room();
        await using var pa = await _cluster.First.ConnectChatAsync(Names.User("pa"));
        await using var pb = await _cluster.Second.ConnectChatAsync(Names.User("pb"));
        await pb.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await pa.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await pb.Events.UserJoined.NextAsync(e => e.User.Id == pa.UserName);

        // As if Redis came back from a snapshot taken before pa joined (or evicted those keys): pa's connection is
        // still indexed and online, only its membership of the room is gone.
        var db = _admin.GetDatabase();
        var connectionId = (string)(await db.SetMembersAsync(Keys.UserConnections(pa.UserName))).Single()!;
        await db.KeyDeleteAsync(Keys.ConnectionRooms(connectionId));
        await db.HashDeleteAsync(Keys.RoomUsers(room), pa.UserName);
        await db.HashDeleteAsync(Keys.RoomNames(room), pa.UserName);
        _cluster.Redis.Kill();
        await Outage.NoticedByAsync(_cluster.First);
        await _cluster.Redis.RestartAsync();
        Assert.True(await db.HashExistsAsync(Keys.InstanceConnections(_cluster.First.Services.GetRequiredService<InstanceIdentity>().Id), connectionId),
            "the restart kept pa's connection in the index");

        await ReadyOnlyOnceRegisteredAsync(_cluster.First, pa.UserName, room);
        var ack = await SendUntilAckedAsync(pa, new SendRoomMessageRequest(room, "still a member", "pa-after-snapshot"));

        string[] both = [.. new[] { pa.UserName, pb.UserName }.Order(StringComparer.Ordinal)];
        Assert.Equal(both, (await pb.Client.GetRoomMembersAsync(new GetRoomMembersRequest(room))).Select(m => m.Id));
        Assert.Equal(both, (await pa.Client.GetRoomMembersAsync(new GetRoomMembersRequest(room))).Select(m => m.Id));
        Assert.Equal(ack.Id, (await pb.Events.RoomMessages.NextAsync(m => m.Id == ack.Id)).Id);
    }

    [Fact]
    public async Task AnInstanceIsReadyAgainOnceItsOpenConnectionsAreBackEvenWhileARegisteredInstanceDoesNotListen()
    {
        var room = Names.Room();
        await using var pa = await _cluster.First.ConnectChatAsync(Names.User("pa"));
        var pc = await _cluster.First.ConnectChatAsync(Names.User("pc"));
        await pa.Client.JoinRoomAsync(new JoinRoomRequest(room));
        var db = _admin.GetDatabase();
        var closedId = (string)(await db.SetMembersAsync(Keys.UserConnections(pc.UserName))).Single()!;
        // An instance that is gone but not swept yet (its heartbeat has not run out): registered, not listening.
        await db.SetAddAsync(Keys.Instances, "ghost");
        await db.StringSetAsync(Keys.InstanceAlive("ghost"), 1, TimeSpan.FromMinutes(5));

        _cluster.Redis.Kill();
        await Outage.NoticedByAsync(_cluster.First);
        // Closed while Redis cannot be told: its removal waits for the ghost to listen, which it never will.
        await pc.DisposeAsync();
        var local = (ClusterHubLifetimeManager<ChatHub>)_cluster.First.Services.GetRequiredService<HubLifetimeManager<ChatHub>>();
        await Eventually.HoldsAsync(() => Task.FromResult(local.LocalConnections.All(c => c.ConnectionId != closedId)), "pc's connection is closed on the first instance");
        await _cluster.Redis.RestartAsync();

        // Within one heartbeat, and far within the Redis:PresenceExpiry (60 s) the removal may wait for the ghost.
        await ReadyOnlyOnceRegisteredAsync(_cluster.First, pa.UserName, room);
        Assert.Equal(pa.UserName, (await pa.Client.GetRoomMembersAsync(new GetRoomMembersRequest(room))).Single().Id);
    }

    /// <summary>
    /// Polls readiness; the first time it answers 200, this instance's user must already be back in presence and in
    /// the room in Redis (readiness waits for the re-registration, it does not race it).
    /// </summary>
    private async Task ReadyOnlyOnceRegisteredAsync(HubsApplication app, string userId, string room)
    {
        var db = _admin.GetDatabase();
        await Eventually.HoldsAsync(async () =>
        {
            if (await ReadyStatusAsync(app) != HttpStatusCode.OK)
            {
                return false;
            }
            Assert.True(await db.HashExistsAsync(Keys.OnlineUsers, userId), $"ready before {userId} was online again in Redis");
            Assert.True(await db.HashExistsAsync(Keys.RoomNames(room), userId), $"ready before {userId} was back in room {room} in Redis");
            return true;
        }, $"the instance serving {userId} is ready again", ShorterThanAHeartbeat);
    }

    /// <summary>
    /// What the typed client's caller does: resend with the same clientMessageId while the answer is retryable.
    /// "You are not a member" is not retryable, and must never come: these users never left the room.
    /// </summary>
    private static async Task<MessageAck> SendUntilAckedAsync(ChatSession sender, SendRoomMessageRequest request)
    {
        var deadline = DateTime.UtcNow + ShorterThanAHeartbeat;
        while (true)
        {
            try
            {
                return await sender.Client.SendRoomMessageAsync(request);
            }
            catch (HubException e) when (DateTime.UtcNow < deadline
                && (e.Message.Contains(Outage.Unavailable, StringComparison.Ordinal) || e.Message.Contains("in progress", StringComparison.Ordinal)))
            {
                // Retry back-off of the sender, not a wait for an event.
                await Task.Delay(100);
            }
        }
    }

    private static async Task<HttpStatusCode> ReadyStatusAsync(HubsApplication app)
    {
        using var http = app.CreateClient();
        using var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
        return response.StatusCode;
    }

    /// <summary>pa on the first instance and pb on the second, both in <paramref name="room"/>, pa having seen pb join.</summary>
    private async Task<(ChatSession Pa, ChatSession Pb)> MembersOnBothInstancesAsync(string room)
    {
        var pa = await _cluster.First.ConnectChatAsync(Names.User("pa"));
        var pb = await _cluster.Second.ConnectChatAsync(Names.User("pb"));
        await pa.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await pb.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await pa.Events.UserJoined.NextAsync(e => e.User.Id == pb.UserName);
        return (pa, pb);
    }
}
