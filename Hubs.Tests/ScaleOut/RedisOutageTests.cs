using System.Net;
using Hubs.Contracts;
using Hubs.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Hubs.Tests.ScaleOut;

/// <summary>Two instances while their redis-server is killed and started again.</summary>
/// <remarks>Its own cluster: stopping Redis must not disturb other tests.</remarks>
public sealed class RedisOutageTests : IAsyncLifetime
{
    private readonly RedisCluster _cluster = RedisCluster.With(new Dictionary<string, string?>
    {
        ["Redis:SendClaimExpiry"] = "00:00:02",
        ["Redis:PresenceExpiry"] = "00:00:03",
    });

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

    [Fact]
    public async Task NoAcknowledgedRoomMessageIsLostOrDuplicatedAcrossARedisOutage()
    {
        var room = Names.Room();
        await using var alice = await _cluster.First.ConnectChatAsync(Names.User("alice"));
        await using var carol = await _cluster.First.ConnectChatAsync(Names.User("carol"));
        await using var bob = await _cluster.Second.ConnectChatAsync(Names.User("bob"));
        foreach (var member in new[] { alice, carol, bob })
        {
            await member.Client.JoinRoomAsync(new JoinRoomRequest(room));
        }
        var acks = new Dictionary<string, MessageAck>();
        async Task SendAsync(int i) => acks[$"m{i}"] = await SendUntilAckedAsync(alice, new SendRoomMessageRequest(room, $"m{i}", $"client-{i}"));

        for (var i = 0; i < 10; i++)
        {
            await SendAsync(i);
        }
        _cluster.Redis.Kill();

        await Eventually.HoldsAsync(async () => await ReadyStatusAsync(_cluster.First) == HttpStatusCode.ServiceUnavailable, "A reports not ready");
        await Eventually.HoldsAsync(async () => await ReadyStatusAsync(_cluster.Second) == HttpStatusCode.ServiceUnavailable, "B reports not ready");
        var refused = await Assert.ThrowsAsync<HubException>(() =>
            alice.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "m10", "client-10")));
        Assert.Contains("temporarily unavailable", refused.Message, StringComparison.Ordinal);
        var duringOutage = Task.Run(async () =>
        {
            for (var i = 10; i < 20; i++)
            {
                await SendAsync(i);
            }
        });
        await _cluster.Redis.RestartAsync();
        await duringOutage.WaitAsync(TimeSpan.FromSeconds(60));
        for (var i = 20; i < 25; i++)
        {
            await SendAsync(i);
        }

        Assert.Equal(HubConnectionState.Connected, bob.Client.State);
        Assert.Equal(HubConnectionState.Connected, alice.Client.State);
        await Eventually.HoldsAsync(async () => await ReadyStatusAsync(_cluster.First) == HttpStatusCode.OK, "A is ready again");
        await Eventually.HoldsAsync(async () => await ReadyStatusAsync(_cluster.Second) == HttpStatusCode.OK, "B is ready again");
        var acked = acks.Values.Select(ack => ack.Id).Order().ToList();
        Assert.Equal(25, acked.Distinct().Count());
        foreach (var receiver in new[] { carol, bob })
        {
            var received = new List<ChatMessage>();
            while (!acked.All(id => received.Any(m => m.Id == id)))
            {
                try
                {
                    received.Add(await receiver.Events.RoomMessages.NextAsync());
                }
                catch (TimeoutException)
                {
                    var missing = acks.Where(pair => received.All(m => m.Id != pair.Value.Id)).Select(pair => pair.Key);
                    Assert.Fail($"{receiver.UserName} never received {string.Join(", ", missing)}; got {string.Join(", ", received.Select(m => m.Text))}.");
                }
            }
            received.AddRange(receiver.Events.RoomMessages.Drain());
            Assert.Equal(acked, received.Select(m => m.Id));
        }
        var history = await alice.Client.GetRoomHistoryAsync(new GetRoomHistoryRequest(room, Limit: 100));
        Assert.Equal(acked, history.Select(m => m.Id));
        Assert.Equal(25, history.Select(m => m.Text).Distinct().Count());
    }

    [Fact]
    public async Task AConnectionClosedDuringAnOutageIsRemovedClusterWideOnceRedisIsBack()
    {
        var room = Names.Room();
        await using var alice = await _cluster.First.ConnectChatAsync(Names.User("alice"));
        var bob = await BobJoinsAliceInRoomFromTheSecondInstanceAsync(alice, room);
        _cluster.Redis.Kill();
        await Eventually.HoldsAsync(async () => await ReadyStatusAsync(_cluster.Second) == HttpStatusCode.ServiceUnavailable, "B notices the outage");

        await bob.DisposeAsync();
        await _cluster.Redis.RestartAsync();

        Assert.Equal(room, (await alice.Events.UserLeft.NextAsync(e => e.User.Id == bob.UserName)).Room);
        await alice.Events.UserDisconnected.NextAsync(e => e.User.Id == bob.UserName);
        Assert.Equal([alice.UserName], (await alice.Client.GetRoomMembersAsync(new GetRoomMembersRequest(room))).Select(m => m.Id));
    }

    [Fact]
    public async Task AfterRedisLosesItsDataEveryInstanceRegistersItsOpenConnectionsAndRoomsAgain()
    {
        var room = Names.Room();
        await using var alice = await _cluster.First.ConnectChatAsync(Names.User("alice"));
        await using var bob = await _cluster.Second.ConnectChatAsync(Names.User("bob"));
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await bob.Client.JoinRoomAsync(new JoinRoomRequest(room));
        var before = await SendUntilAckedAsync(alice, new SendRoomMessageRequest(room, "before"));

        _cluster.Redis.Kill();
        _cluster.Redis.WipeData();
        await _cluster.Redis.RestartAsync();

        await Eventually.HoldsAsync(async () =>
        {
            try
            {
                var members = await alice.Client.GetRoomMembersAsync(new GetRoomMembersRequest(room));
                return members is [_, _];
            }
            catch (HubException)
            {
                return false;
            }
        }, "both members are registered again");
        var dm = await SendDirectUntilAckedAsync(alice, new SendDirectMessageRequest(bob.UserName, "are you there?"));
        var after = await SendUntilAckedAsync(bob, new SendRoomMessageRequest(room, "after"));
        Assert.Equal(dm.Id, (await bob.Events.DirectMessages.NextAsync(m => m.Id == dm.Id)).Id);
        Assert.Equal(after.Id, (await alice.Events.RoomMessages.NextAsync(m => m.Id == after.Id)).Id);
        Assert.True(after.Id > before.Id, "ids keep increasing even though Redis lost the counter");
    }

    [Fact]
    public async Task AUserWhoLeftDuringAnOutageIsAnnouncedGoneEvenWhenRedisComesBackWithoutItsData()
    {
        var room = Names.Room();
        await using var alice = await _cluster.First.ConnectChatAsync(Names.User("alice"));
        var bob = await BobJoinsAliceInRoomFromTheSecondInstanceAsync(alice, room);
        _cluster.Redis.Kill();
        await Outage.NoticedByAsync(_cluster.Second);

        await bob.DisposeAsync();
        _cluster.Redis.WipeData();
        await _cluster.Redis.RestartAsync();

        // Redis no longer knows Bob; the instance that served him remembers he left, and says so.
        var wait = TimeSpan.FromSeconds(30);
        Assert.Equal(room, (await alice.Events.UserLeft.NextAsync(e => e.User.Id == bob.UserName, wait)).Room);
        await alice.Events.UserDisconnected.NextAsync(e => e.User.Id == bob.UserName, wait);
        var members = await Outage.RetryAsync(() => alice.Client.GetRoomMembersAsync(new GetRoomMembersRequest(room)));
        Assert.Equal([alice.UserName], members.Select(m => m.Id));
    }

    /// <summary>Alice joins <paramref name="room"/>, then Bob on the second instance, and Alice is told he joined.</summary>
    private async Task<ChatSession> BobJoinsAliceInRoomFromTheSecondInstanceAsync(ChatSession alice, string room)
    {
        var bob = await _cluster.Second.ConnectChatAsync(Names.User("bob"));
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await bob.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await alice.Events.UserJoined.NextAsync(e => e.User.Id == bob.UserName);
        return bob;
    }

    private static async Task<MessageAck> SendDirectUntilAckedAsync(ChatSession sender, SendDirectMessageRequest request)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(45);
        while (true)
        {
            try
            {
                return await sender.Client.SendDirectMessageAsync(request);
            }
            catch (HubException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>What the typed client's caller does: resend with the same clientMessageId until acknowledged.</summary>
    private static async Task<MessageAck> SendUntilAckedAsync(ChatSession sender, SendRoomMessageRequest request)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(45);
        while (true)
        {
            try
            {
                return await sender.Client.SendRoomMessageAsync(request);
            }
            catch (HubException e) when (DateTime.UtcNow < deadline
                && (e.Message.Contains("temporarily unavailable", StringComparison.Ordinal) || e.Message.Contains("in progress", StringComparison.Ordinal)))
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
}
