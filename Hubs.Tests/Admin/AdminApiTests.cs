using System.Net;
using System.Net.Http.Json;
using Hubs.Client;
using Hubs.Contracts;
using Hubs.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Hubs.Tests.Admin;

/// <summary>The admin REST API against the in-memory server: what it lists, and that its actions take effect.</summary>
public sealed class AdminApiTests(HubsApplication app) : IClassFixture<HubsApplication>
{
    [Fact]
    public async Task ListsOnlineUsersWithTheirConnectionCounts()
    {
        using var admin = app.AdminHttpClient();
        var bob = Names.User("bob");
        var carol = Names.User("carol");
        await using var bobPhone = await app.ConnectChatAsync(bob).ReadyAsync();
        await using var bobLaptop = await app.ConnectChatAsync(bob).ReadyAsync();
        await using var carolSession = await app.ConnectChatAsync(carol).ReadyAsync();

        var users = await admin.GetFromJsonAsync<List<UserConnections>>(ApiRoutes.AdminUsers);

        Assert.Contains(new UserConnections(new UserInfo(bob, bob), 2), users!);
        Assert.Contains(new UserConnections(new UserInfo(carol, carol), 1), users!);
    }

    [Fact]
    public async Task ListsRoomsWithMemberCountsAndARoomsMembers()
    {
        using var admin = app.AdminHttpClient();
        var room = Names.Room();
        var alice = Names.User("alice");
        var bob = Names.User("bob");
        await using var aliceSession = await app.ConnectChatAsync(alice);
        await using var bobPhone = await app.ConnectChatAsync(bob);
        await using var bobLaptop = await app.ConnectChatAsync(bob);
        foreach (var session in new[] { aliceSession, bobPhone, bobLaptop })
        {
            await session.Client.JoinRoomAsync(new JoinRoomRequest(room));
        }

        var rooms = await admin.GetFromJsonAsync<List<RoomOccupancy>>(ApiRoutes.AdminRooms);
        var members = await admin.GetFromJsonAsync<RoomMembers>(ApiRoutes.AdminRoomMembersOf(room));
        var empty = await admin.GetFromJsonAsync<RoomMembers>(ApiRoutes.AdminRoomMembersOf(Names.Room("empty")));

        Assert.Contains(new RoomOccupancy(room, 2), rooms!);
        Assert.Equal(room, members!.Room);
        Assert.Equal(new[] { alice, bob }.Order(StringComparer.Ordinal), members.Members.Select(m => m.Id));
        Assert.Empty(empty!.Members);
    }

    [Fact]
    public async Task RoomMembersOfABadRoomNameIs400()
    {
        using var admin = app.AdminHttpClient();

        using var response = await admin.GetAsync(ApiRoutes.AdminRoomMembersOf("no spaces allowed"));
        var problem = await response.Content.ReadFromJsonAsync<HttpValidationProblemDetails>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("room", problem!.Errors.Keys);
    }

    [Fact]
    public async Task DisconnectClosesEveryConnectionOfTheUserAndTellsEachOneWhy()
    {
        using var admin = app.AdminHttpClient();
        var bob = Names.User("bob");
        await using var alice = await app.ConnectChatAsync(Names.User("alice"));
        await using var bobChat = await app.ConnectChatAsync(bob).ReadyAsync();
        await using var bobNotifications = await app.ConnectNotificationsAsync(bob);
        // One chat connection without the typed client: any SignalR client gets the notice, not only ours.
        await using var bobRaw = HubConnectionFactory.Create(app.HubOptionsFor(bob), HubRoutes.Chat);
        var rawNotice = new EventStream<DisconnectNotice>();
        var rawClosed = new TaskCompletionSource<Exception?>(TaskCreationOptions.RunContinuationsAsynchronously);
        bobRaw.On<DisconnectNotice>(nameof(IChatClient.Disconnecting), rawNotice.Add);
        bobRaw.Closed += error => Task.FromResult(rawClosed.TrySetResult(error));
        await bobRaw.StartAsync();
        await bobRaw.InvokeAsync<IReadOnlyList<UserInfo>>(nameof(IChatHub.GetRoomMembers), new GetRoomMembersRequest("probe"));

        using var response = await admin.PostAsJsonAsync(ApiRoutes.AdminUserDisconnectOf(bob), new DisconnectUserRequest("  Spamming the lobby  "));
        var result = await response.Content.ReadFromJsonAsync<DisconnectUserResult>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new DisconnectUserResult(bob, 3), result);
        Assert.Equal("Spamming the lobby", (await rawNotice.NextAsync()).Reason);
        Assert.Equal("Spamming the lobby", (await bobNotifications.Events.Disconnecting.NextAsync()).Reason);
        await bobChat.Closed.WaitAsync(Timeouts.Default);
        await bobNotifications.Closed.WaitAsync(Timeouts.Default);
        await rawClosed.Task.WaitAsync(Timeouts.Default);
        Assert.Equal(bob, (await alice.Events.UserDisconnected.NextAsync(e => e.User.Id == bob)).User.Id);
        await alice.Client.SendMessageAsync(new SendMessageRequest("alice is unaffected"));
        var users = await admin.GetFromJsonAsync<List<UserConnections>>(ApiRoutes.AdminUsers);
        Assert.DoesNotContain(users!, u => u.User.Id == bob);
    }

    [Fact]
    public async Task DisconnectWithoutABodyGivesTheDefaultReason()
    {
        using var admin = app.AdminHttpClient();
        var bob = Names.User("bob");
        await using var bobNotifications = await app.ConnectNotificationsAsync(bob);

        using var response = await admin.PostAsync(ApiRoutes.AdminUserDisconnectOf(bob), null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("An administrator closed your connection.", (await bobNotifications.Events.Disconnecting.NextAsync()).Reason);
        await bobNotifications.Closed.WaitAsync(Timeouts.Default);
    }

    [Fact]
    public async Task ADisconnectedUserCanConnectAgain()
    {
        using var admin = app.AdminHttpClient();
        var bob = Names.User("bob");
        await using (var first = await app.ConnectChatAsync(bob).ReadyAsync())
        {
            (await admin.PostAsync(ApiRoutes.AdminUserDisconnectOf(bob), null)).EnsureSuccessStatusCode();
            await first.Closed.WaitAsync(Timeouts.Default);
        }

        await using var second = await app.ConnectChatAsync(bob);

        await second.Client.SendMessageAsync(new SendMessageRequest("back again"));
    }

    [Fact]
    public async Task DisconnectingAUserWithNoConnectionsIs404()
    {
        using var admin = app.AdminHttpClient();

        using var response = await admin.PostAsJsonAsync(ApiRoutes.AdminUserDisconnectOf(Names.User("ghost")), new DisconnectUserRequest());
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("no open connections", problem!.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DisconnectWithAnOverlongReasonIs400AndClosesNothing()
    {
        using var admin = app.AdminHttpClient();
        var bob = Names.User("bob");
        await using var bobChat = await app.ConnectChatAsync(bob);

        using var response = await admin.PostAsJsonAsync(ApiRoutes.AdminUserDisconnectOf(bob), new DisconnectUserRequest(new string('x', 201)));
        var problem = await response.Content.ReadFromJsonAsync<HttpValidationProblemDetails>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("reason", problem!.Errors.Keys);
        await bobChat.Client.SendMessageAsync(new SendMessageRequest("still here"));
    }

    [Fact]
    public async Task RemovingAUserFromARoomTellsTheRoomAndTheUserAndStopsRoomMessagesToThem()
    {
        using var admin = app.AdminHttpClient();
        var room = Names.Room();
        await using var alice = await app.ConnectChatAsync(Names.User("alice"));
        await using var bobPhone = await app.ConnectChatAsync(Names.User("bob"));
        await using var bobLaptop = await app.ConnectChatAsync(bobPhone.UserName);
        foreach (var session in new[] { alice, bobPhone, bobLaptop })
        {
            await session.Client.JoinRoomAsync(new JoinRoomRequest(room));
        }

        using var response = await admin.DeleteAsync(ApiRoutes.AdminRoomMemberOf(room, bobPhone.UserName));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(bobPhone.UserName, (await alice.Events.UserLeft.NextAsync(e => e.Room == room)).User.Id);
        foreach (var bob in new[] { bobPhone, bobLaptop })
        {
            Assert.Equal(bob.UserName, (await bob.Events.UserLeft.NextAsync(e => e.Room == room)).User.Id);
        }
        var afterwards = await alice.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "bob cannot read this"));
        await alice.Events.RoomMessages.NextAsync(m => m.Id == afterwards.Id);
        // Delivery to one connection keeps order: once the later direct message is in, the room message would be too.
        var marker = await alice.Client.SendDirectMessageAsync(new SendDirectMessageRequest(bobPhone.UserName, "marker"));
        foreach (var bob in new[] { bobPhone, bobLaptop })
        {
            await bob.Events.DirectMessages.NextAsync(m => m.Id == marker.Id);
            Assert.DoesNotContain(bob.Events.RoomMessages.Drain(), m => m.Id == afterwards.Id);
        }
        var refused = await Assert.ThrowsAsync<HubException>(() => bobPhone.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "let me in")));
        Assert.Contains("not a member", refused.Message, StringComparison.Ordinal);
        var members = await admin.GetFromJsonAsync<RoomMembers>(ApiRoutes.AdminRoomMembersOf(room));
        Assert.Equal([alice.UserName], members!.Members.Select(m => m.Id));
    }

    [Fact]
    public async Task ARemovedUserMayJoinTheRoomAgain()
    {
        using var admin = app.AdminHttpClient();
        var room = Names.Room();
        await using var bob = await app.ConnectChatAsync(Names.User("bob"));
        await bob.Client.JoinRoomAsync(new JoinRoomRequest(room));
        (await admin.DeleteAsync(ApiRoutes.AdminRoomMemberOf(room, bob.UserName))).EnsureSuccessStatusCode();

        var rejoined = await bob.Client.JoinRoomAsync(new JoinRoomRequest(room));
        var ack = await bob.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "back"));

        Assert.Equal([bob.UserName], rejoined.Members.Select(m => m.Id));
        await bob.Events.RoomMessages.NextAsync(m => m.Id == ack.Id);
    }

    [Fact]
    public async Task RemovingAUserWhoIsNotInTheRoomIs404()
    {
        using var admin = app.AdminHttpClient();
        var room = Names.Room();
        await using var alice = await app.ConnectChatAsync(Names.User("alice"));
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));

        using var response = await admin.DeleteAsync(ApiRoutes.AdminRoomMemberOf(room, Names.User("bob")));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(alice.Events.UserLeft.Drain());
    }

    [Fact]
    public async Task RemovingFromABadRoomNameIs400()
    {
        using var admin = app.AdminHttpClient();

        using var response = await admin.DeleteAsync(ApiRoutes.AdminRoomMemberOf("bad room", "bob"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task StatsEndpointReturnsOneSample()
    {
        using var admin = app.AdminHttpClient();
        await using var alice = await app.ConnectChatAsync(Names.User("alice")).ReadyAsync();

        var stats = await admin.GetFromJsonAsync<ServerStats>(ApiRoutes.AdminStats);

        Assert.True(stats!.OnlineUsers >= 1);
        Assert.True(stats.Connections >= stats.OnlineUsers);
    }
}
