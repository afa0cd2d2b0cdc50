using Hubs.Client;
using Hubs.Contracts;
using Hubs.Tests.Infrastructure;

namespace Hubs.Tests.EndToEnd;

/// <summary>The chat contract over real sockets: a Hubs.Server process on Kestrel at 127.0.0.1.</summary>
public sealed class KestrelChatTests
{
    [Theory]
    [InlineData(HubProtocolKind.Json)]
    [InlineData(HubProtocolKind.MessagePack)]
    public async Task TwoClientsChatInARoomOverRealWebSockets(HubProtocolKind protocol)
    {
        await using var server = await ServerProcess.StartAsync();
        await using var alice = await KestrelClients.ConnectChatAsync(server, Names.User("alice"), protocol);
        await using var bob = await KestrelClients.ConnectChatAsync(server, Names.User("bob"), protocol);
        var room = Names.Room();

        await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));
        var joined = await bob.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await alice.Events.UserJoined.NextAsync(e => e.User.Id == bob.UserName);
        var ack = await alice.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "hi bob"));

        var received = await bob.Events.RoomMessages.NextAsync();
        Assert.Equal(ack.Id, received.Id);
        Assert.Equal("hi bob", received.Text);
        Assert.Equal(room, received.Room);
        Assert.Equal([alice.UserName, bob.UserName], joined.Members.Select(m => m.Id).Order());
    }
}
