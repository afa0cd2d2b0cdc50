using System.Reflection;
using Hubs.Client;
using Hubs.Contracts;
using Hubs.Tests.Infrastructure;

namespace Hubs.Tests.Client;

/// <summary>The typed client keeps up with the contract: a hub method or client event it misses fails here.</summary>
public sealed class ContractCoverageTests
{
    public static TheoryData<string> HubMethods() => [.. typeof(IChatHub).GetMethods().Select(method => method.Name)];

    public static TheoryData<string> ClientMethods() => [.. typeof(IChatClient).GetMethods().Select(method => method.Name)];

    [Theory]
    [MemberData(nameof(HubMethods))]
    public void EveryHubMethodHasATypedAsyncCallWithCancellation(string hubMethod)
    {
        var contract = typeof(IChatHub).GetMethod(hubMethod)!;
        var request = Assert.Single(contract.GetParameters()).ParameterType;

        var call = typeof(ChatClient).GetMethod(hubMethod + "Async", BindingFlags.Public | BindingFlags.Instance, [request, typeof(CancellationToken)]);

        Assert.True(call is not null, $"ChatClient has no public {hubMethod}Async({request.Name}, CancellationToken) for IChatHub.{hubMethod}.");
        Assert.Equal(contract.ReturnType, call.ReturnType);
        Assert.True(call.GetParameters()[1].HasDefaultValue, "The CancellationToken should be optional.");
    }

    [Theory]
    [MemberData(nameof(ClientMethods))]
    public void EveryClientMethodOfTheContractIsDeliveredToSubscribers(string clientMethod)
    {
        var client = new ChatClient(new HubClientOptions { ServerUrl = new Uri("http://127.0.0.1:1") });

        Assert.Contains(clientMethod, client.HandledClientMethods);
    }

    [Fact]
    public void TheClientListensToNothingOutsideTheContract()
    {
        var client = new ChatClient(new HubClientOptions { ServerUrl = new Uri("http://127.0.0.1:1") });

        Assert.Equal(typeof(IChatClient).GetMethods().Select(method => method.Name).Order(), client.HandledClientMethods.Order());
    }

    [Fact]
    public async Task EveryClientEventReachesASubscriber()
    {
        await using var app = new HubsApplication();
        await using var alice = await ResilientChat.ConnectAsync(app, Names.User("alice"));
        var bobName = Names.User("bob");
        await using var bob = await ResilientChat.ConnectAsync(app, bobName);
        var room = Names.Room();

        await alice.Events.UserConnected.NextAsync(change => change.User.Id == bobName);
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await bob.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await alice.Events.UserJoined.NextAsync(change => change.User.Id == bobName);
        await bob.Client.SendMessageAsync(new SendMessageRequest("global"));
        await alice.Events.Messages.NextAsync(message => message.Text == "global");
        await bob.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "room"));
        await alice.Events.RoomMessages.NextAsync(message => message.Text == "room");
        await bob.Client.SendDirectMessageAsync(new SendDirectMessageRequest(alice.UserName, "direct"));
        await alice.Events.DirectMessages.NextAsync(message => message.Text == "direct");
        await bob.Client.LeaveRoomAsync(new LeaveRoomRequest(room));
        await alice.Events.UserLeft.NextAsync(change => change.User.Id == bobName);
        await bob.Client.StopAsync();
        await alice.Events.UserDisconnected.NextAsync(change => change.User.Id == bobName);
        // Welcome was awaited by ConnectAsync: all eight IChatClient methods arrived.
    }
}
