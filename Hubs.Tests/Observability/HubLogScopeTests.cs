using Hubs.Contracts;
using Hubs.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;

namespace Hubs.Tests.Observability;

/// <summary>Hub logs carry the hub, connection id and user id as scope values; per-message logs stay at Debug.</summary>
public sealed class HubLogScopeTests(LoggedHubsApplication app) : IClassFixture<LoggedHubsApplication>
{
    // Event ids of the logs these tests look for (ChatLog, HubLog).
    private const int ConnectionOpened = 1002;
    private const int ConnectionClosed = 1003;
    private const int MessageSent = 1006;
    private const int CallRejected = 1900;

    [Fact]
    public async Task LogsOfConnectCallsAndDisconnectCarryTheConnectionAndUser()
    {
        var alice = await app.ConnectChatAsync(Names.User("alice"));
        var connectionId = alice.Client.ConnectionId!;

        await alice.Client.SendMessageAsync(new SendMessageRequest("scoped"));
        await Assert.ThrowsAsync<HubException>(() => alice.Client.SendMessageAsync(new SendMessageRequest("")));
        await alice.DisposeAsync();

        var opened = await LoggedAsync(ConnectionOpened, alice.UserName);
        var sent = await LoggedAsync(MessageSent, alice.UserName);
        var rejected = await LoggedAsync(CallRejected, alice.UserName);
        var closed = await LoggedAsync(ConnectionClosed, alice.UserName);
        Assert.All([opened, sent, rejected, closed], record =>
        {
            Assert.Equal(connectionId, record.Scope["HubConnectionId"]);
            Assert.Equal(alice.UserName, record.Scope["UserId"]);
            Assert.Equal("ChatHub", record.Scope["Hub"]);
        });
    }

    [Fact]
    public async Task TwoUsersCallingAtOnceEachGetTheirOwnScope()
    {
        await using var bob = await app.ConnectChatAsync(Names.User("bob"));
        await using var cara = await app.ConnectChatAsync(Names.User("cara"));

        await Task.WhenAll(
            bob.Client.SendMessageAsync(new SendMessageRequest("from bob")),
            cara.Client.SendMessageAsync(new SendMessageRequest("from cara")));

        var bobs = await LoggedAsync(MessageSent, bob.UserName);
        var caras = await LoggedAsync(MessageSent, cara.UserName);
        Assert.Equal(bob.Client.ConnectionId, bobs.Scope["HubConnectionId"]);
        Assert.Equal(cara.Client.ConnectionId, caras.Scope["HubConnectionId"]);
    }

    [Fact]
    public async Task NothingIsLoggedAboveDebugForEachMessage()
    {
        await using var dan = await app.ConnectChatAsync(Names.User("dan")).ReadyAsync();
        await using var eve = await app.ConnectChatAsync(Names.User("eve")).ReadyAsync();
        var room = Names.Room("quiet");
        await dan.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await eve.Client.JoinRoomAsync(new JoinRoomRequest(room));
        var start = app.Logs.Records.Count;

        for (var i = 0; i < 5; i++)
        {
            await dan.Client.SendMessageAsync(new SendMessageRequest($"global {i}"));
            await dan.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, $"room {i}"));
            await eve.Client.SendDirectMessageAsync(new SendDirectMessageRequest(dan.UserName, $"direct {i}"));
        }
        await Assert.ThrowsAsync<HubException>(() => dan.Client.SendRoomMessageAsync(new SendRoomMessageRequest("no such room!", "x")));

        var ours = app.Logs.Records.Skip(start)
            .Where(r => r.Category.StartsWith("Hubs.", StringComparison.Ordinal))
            .Where(r => !r.Scope.TryGetValue("UserId", out var user) || (string?)user == dan.UserName || (string?)user == eve.UserName)
            .ToList();
        Assert.Equal(15, ours.Count(r => r.EventId == MessageSent));
        Assert.Empty(ours.Where(r => r.Level > LogLevel.Debug).Select(r => $"{r.Level} {r.Category}: {r.Message}"));
    }

    private Task<LogRecord> LoggedAsync(int eventId, string userId) =>
        app.Logs.WaitForAsync(r => r.EventId == eventId && Equals(r.Fields.GetValueOrDefault("UserId"), userId), $"event {eventId} of {userId}");
}
