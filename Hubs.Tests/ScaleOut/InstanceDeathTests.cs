using Hubs.Contracts;
using Hubs.Tests.Infrastructure;

namespace Hubs.Tests.ScaleOut;

/// <summary>Real Hubs.Server processes on Kestrel sharing a real redis-server; one is killed with kill -9.</summary>
public sealed class InstanceDeathTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    [Fact]
    public async Task AKilledInstanceLeavesNoGhostsAndTheOthersAreToldItsUsersLeft()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Redis:ConnectionString"] = redis.Server.ConnectionString,
            ["Redis:ChannelPrefix"] = "death-" + Guid.NewGuid().ToString("N")[..12],
            ["Redis:PresenceExpiry"] = "00:00:03",
        };
        await using var doomed = await ServerProcess.StartAsync(settings);
        await using var survivor = await ServerProcess.StartAsync(settings);
        var room = Names.Room();
        await using var alice = await KestrelClients.ConnectChatAsync(survivor, Names.User("alice"));
        await using var bob = await KestrelClients.ConnectChatAsync(doomed, Names.User("bob"));
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await bob.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await alice.Events.UserJoined.NextAsync(e => e.User.Id == bob.UserName);

        doomed.Kill();

        var left = await alice.Events.UserLeft.NextAsync(e => e.User.Id == bob.UserName);
        var offline = await alice.Events.UserDisconnected.NextAsync(e => e.User.Id == bob.UserName);
        Assert.Equal(room, left.Room);
        Assert.Equal(bob.UserName, offline.User.Id);
        Assert.Equal([alice.UserName], (await alice.Client.GetRoomMembersAsync(new GetRoomMembersRequest(room))).Select(m => m.Id));
        var error = await Assert.ThrowsAsync<Microsoft.AspNetCore.SignalR.HubException>(() =>
            alice.Client.SendDirectMessageAsync(new SendDirectMessageRequest(bob.UserName, "still there?")));
        Assert.Contains("is not online", error.Message, StringComparison.Ordinal);
        // The survivor itself is alive and keeps its own users.
        await using var carol = await KestrelClients.ConnectChatAsync(survivor, Names.User("carol"));
        var ack = await carol.Client.SendDirectMessageAsync(new SendDirectMessageRequest(alice.UserName, "hi"));
        Assert.Equal(ack.Id, (await alice.Events.DirectMessages.NextAsync()).Id);
    }
}
