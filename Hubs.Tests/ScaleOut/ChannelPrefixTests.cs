using Hubs.Contracts;
using Hubs.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;

namespace Hubs.Tests.ScaleOut;

/// <summary>Two deployments share one real redis-server, told apart only by <c>Redis:ChannelPrefix</c>.</summary>
public sealed class ChannelPrefixTests(RedisFixture redis) : IClassFixture<RedisFixture>, IAsyncLifetime
{
    /// <summary>StackExchange.Redis listens here for primary changes, whatever the application's prefix.</summary>
    private const string StackExchangeConfigurationChannel = "__Booksleeve_MasterChanged";

    private readonly string _prefixA = "deploy-a-" + Guid.NewGuid().ToString("N")[..8];
    private readonly string _prefixB = "deploy-b-" + Guid.NewGuid().ToString("N")[..8];
    private HubsApplication _a = null!;
    private HubsApplication _b = null!;

    public Task InitializeAsync()
    {
        _a = HubsApplication.With(Settings(_prefixA));
        _b = HubsApplication.With(Settings(_prefixB));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    [Fact]
    public async Task DeploymentsWithDifferentPrefixesOnOneRedisShareNoMessagesMembersOrPresence()
    {
        var room = Names.Room();
        await using var onB = await _b.ConnectChatAsync(Names.User("bob"));
        await using var onA = await _a.ConnectChatAsync(Names.User("carol"));
        await using var otherOnA = await _a.ConnectChatAsync(Names.User("alice"));
        await onA.Client.JoinRoomAsync(new JoinRoomRequest(room));
        var joinedB = await onB.Client.JoinRoomAsync(new JoinRoomRequest(room));

        var globalA = await otherOnA.Client.SendMessageAsync(new SendMessageRequest("deployment A only"));
        var roomA = await onA.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "room in A"));
        var offline = await Assert.ThrowsAsync<HubException>(() =>
            onB.Client.SendDirectMessageAsync(new SendDirectMessageRequest(otherOnA.UserName, "are you here?")));
        var globalB = await onB.Client.SendMessageAsync(new SendMessageRequest("deployment B only"));

        Assert.Equal([onB.UserName], joinedB.Members.Select(m => m.Id));
        Assert.Empty(joinedB.History);
        Assert.Contains("not online", offline.Message, StringComparison.Ordinal);
        Assert.Equal(globalA.Id, (await onA.Events.Messages.NextAsync()).Id);
        Assert.Equal(roomA.Id, (await onA.Events.RoomMessages.NextAsync()).Id);
        // B's first global message is its own: A's never crossed over; nor did A's room message reach B's room.
        Assert.Equal(globalB.Id, (await onB.Events.Messages.NextAsync()).Id);
        Assert.Empty(await onB.Client.GetRoomHistoryAsync(new GetRoomHistoryRequest(room)));
        Assert.Equal([onA.UserName], (await onA.Client.GetRoomMembersAsync(new GetRoomMembersRequest(room))).Select(m => m.Id));
        Assert.DoesNotContain(onB.Events.UserConnected.Drain(), e => e.User.Id == onA.UserName || e.User.Id == otherOnA.UserName);
    }

    [Fact]
    public async Task EveryBackplaneChannelOfADeploymentStartsWithItsPrefix()
    {
        await using var onA = await _a.ConnectChatAsync(Names.User("alice"));
        await using var onB = await _b.ConnectChatAsync(Names.User("bob"));

        var server = redis.Connection.GetServers().Single();
        var channels = (await server.SubscriptionChannelsAsync()).Select(channel => channel.ToString()).ToList();

        foreach (var prefix in new[] { _prefixA, _prefixB })
        {
            Assert.Contains($"{prefix}:hub:ChatHub", channels);
            Assert.Contains($"{prefix}:room-messages", channels);
        }
        // This class has its own redis-server: every channel is one of the two deployments' (or the Redis client's own).
        Assert.All(channels.Where(channel => channel != StackExchangeConfigurationChannel), channel =>
            Assert.True(channel.StartsWith(_prefixA + ":", StringComparison.Ordinal) || channel.StartsWith(_prefixB + ":", StringComparison.Ordinal), channel));
    }

    private Dictionary<string, string?> Settings(string prefix) => new()
    {
        ["Redis:ConnectionString"] = redis.Server.ConnectionString,
        ["Redis:ChannelPrefix"] = prefix,
    };
}
