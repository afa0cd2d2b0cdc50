using System.Net.Http.Json;
using Hubs.Client;
using Hubs.Contracts;
using Hubs.Tests.Infrastructure;

namespace Hubs.Tests.Client;

/// <summary>What the typed client does when an administrator acts on its user: it obeys instead of undoing it.</summary>
public sealed class ServerInitiatedCloseTests(HubsApplication app) : IClassFixture<HubsApplication>
{
    [Fact]
    public async Task AClientDisconnectedByAnAdministratorIsToldWhyAndDoesNotReconnect()
    {
        var name = Names.User("ejected");
        await using var chat = await ResilientChat.ConnectAsync(app, name);
        using var admin = app.AdminHttpClient();

        using var response = await admin.PostAsync(ApiRoutes.AdminUserDisconnectOf(name), null);
        var gaveUp = await chat.States.NextAsync(change => change is GaveUpEvent);

        response.EnsureSuccessStatusCode();
        Assert.Contains("An administrator closed your connection.", ((GaveUpEvent)gaveUp).LastError?.Message, StringComparison.Ordinal);
        Assert.Equal(ClientConnectionState.Disconnected, chat.Client.ConnectionState);
        Assert.DoesNotContain(chat.History, change => change is ReconnectedEvent);
    }

    [Fact]
    public async Task TheDisconnectedEventOfAnAdministratorsCloseCarriesTheServersReason()
    {
        var name = Names.User("ejected");
        await using var chat = await ResilientChat.ConnectAsync(app, name);
        using var admin = app.AdminHttpClient();

        using var response = await admin.PostAsJsonAsync(ApiRoutes.AdminUserDisconnectOf(name), new DisconnectUserRequest("Maintenance"));
        var disconnected = await chat.NextStateAsync<DisconnectedEvent>();
        var gaveUp = await chat.NextStateAsync<GaveUpEvent>();

        response.EnsureSuccessStatusCode();
        var reason = Assert.IsType<HubConnectionLostException>(disconnected.Reason);
        Assert.Contains("Maintenance", reason.Message, StringComparison.Ordinal);
        Assert.Same(reason, gaveUp.LastError);
    }

    [Fact]
    public async Task ANotificationClientDisconnectedByAnAdministratorIsToldWhyAndDoesNotReconnect()
    {
        var name = Names.User("ejected");
        await using var notifications = await ResilientNotifications.ConnectAsync(app, name);
        using var admin = app.AdminHttpClient();

        using var response = await admin.PostAsJsonAsync(ApiRoutes.AdminUserDisconnectOf(name), new DisconnectUserRequest("Maintenance"));
        var disconnected = await notifications.NextStateAsync<DisconnectedEvent>();
        await notifications.NextStateAsync<GaveUpEvent>();

        response.EnsureSuccessStatusCode();
        Assert.Equal("Maintenance", (await notifications.Events.Disconnecting.NextAsync()).Reason);
        Assert.Contains("Maintenance", disconnected.Reason?.Message, StringComparison.Ordinal);
        Assert.Equal(ClientConnectionState.Disconnected, notifications.Client.ConnectionState);
        Assert.DoesNotContain(notifications.History, change => change is ReconnectingEvent or ReconnectedEvent);
    }

    [Fact]
    public async Task AClientRemovedFromARoomByAnAdministratorForgetsTheRoom()
    {
        var name = Names.User("removed");
        var room = Names.Room();
        await using var chat = await ResilientChat.ConnectAsync(app, name);
        await chat.Client.JoinRoomAsync(new JoinRoomRequest(room));
        using var admin = app.AdminHttpClient();

        using var response = await admin.DeleteAsync(ApiRoutes.AdminRoomMemberOf(room, name));
        var left = await chat.Events.UserLeft.NextAsync(e => e.User.Id == name);

        response.EnsureSuccessStatusCode();
        Assert.Equal(room, left.Room);
        Assert.DoesNotContain(room, chat.Client.Rooms);
    }
}
