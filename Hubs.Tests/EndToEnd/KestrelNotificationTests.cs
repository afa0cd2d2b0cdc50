using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Hubs.Client;
using Hubs.Contracts;
using Hubs.Tests.Infrastructure;

namespace Hubs.Tests.EndToEnd;

/// <summary>One real Hubs.Server process on Kestrel at 127.0.0.1, shared by the notification end-to-end tests.</summary>
public sealed class KestrelServerFixture : IAsyncLifetime
{
    public ServerProcess Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await ServerProcess.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>Notifications, the publish and admin REST API and the stats stream over real sockets.</summary>
public sealed class KestrelNotificationTests(KestrelServerFixture fixture) : IClassFixture<KestrelServerFixture>
{
    private ServerProcess Server => fixture.Server;

    [Theory]
    [InlineData(HubProtocolKind.Json)]
    [InlineData(HubProtocolKind.MessagePack)]
    public async Task PublishedNotificationsReachTopicSubscribersAndEveryoneOverRealWebSockets(HubProtocolKind protocol)
    {
        var topic = Names.Room("topic");
        using var admin = await AdminHttpAsync();
        await using var alice = await ConnectNotificationsAsync("alice", protocol);
        await using var bob = await ConnectNotificationsAsync("bob", protocol);
        await alice.FollowAsync(topic);

        var forTopic = await admin.PublishAsync("deploy done", topic, "v42 is live");
        var forEveryone = await admin.PublishAsync("all hands");

        Assert.Equal(forTopic, await alice.Events.Notifications.NextAsync(n => n.Id == forTopic.Id));
        Assert.Equal(forEveryone, await alice.Events.Notifications.NextAsync(n => n.Id == forEveryone.Id));
        Assert.DoesNotContain(await bob.ReceivedBeforeAsync(forEveryone.Id), n => n.Id == forTopic.Id);
    }

    [Fact]
    public async Task RoomPostOverRestReachesAChatMemberOverRealWebSockets()
    {
        var room = Names.Room();
        using var admin = await AdminHttpAsync();
        await using var alice = await KestrelClients.ConnectChatAsync(Server, Names.User("alice"), HubProtocolKind.MessagePack);
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));

        using var response = await admin.PostAsJsonAsync(ApiRoutes.RoomMessagesOf(room), new PostRoomMessageRequest("hello from the back end"));
        var posted = await response.Content.ReadFromJsonAsync<ChatMessage>();

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var received = await alice.Events.RoomMessages.NextAsync(m => m.Id == posted!.Id);
        Assert.Equal(SystemSender.User, received.Sender);
        Assert.Equal(posted, received);
    }

    [Fact]
    public async Task PublishNeedsATokenWithTheAdminRole()
    {
        using var anonymous = new HttpClient { BaseAddress = Server.BaseAddress };
        using var user = new HttpClient { BaseAddress = Server.BaseAddress };
        user.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await KestrelClients.GetTokenAsync(Server.BaseAddress, Names.User("user")));
        var request = new PublishNotificationRequest("nope");

        using var withoutToken = await anonymous.PostAsJsonAsync(ApiRoutes.Notifications, request);
        using var withoutRole = await user.PostAsJsonAsync(ApiRoutes.Notifications, request);

        Assert.Equal(HttpStatusCode.Unauthorized, withoutToken.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, withoutRole.StatusCode);
    }

    [Fact]
    public async Task StatsStreamEndsOnTheServerWhenTheWatchingConnectionCloses()
    {
        await using var observer = await ConnectNotificationsAsync("observer", HubProtocolKind.Json, admin: true);
        using var observing = new CancellationTokenSource(Timeouts.Default);
        await using var observed = observer.Client.StreamStatsAsync(new StreamStatsRequest(100), observing.Token).GetAsyncEnumerator(observing.Token);
        await ReadUntilAsync(observed, s => s.StatsStreams == 1);

        var watcher = await ConnectNotificationsAsync("watcher", HubProtocolKind.MessagePack, admin: true);
        var watching = watcher.Client.StreamStatsAsync(new StreamStatsRequest(100)).GetAsyncEnumerator();
        Assert.True(await watching.MoveNextAsync());
        var withWatcher = await ReadUntilAsync(observed, s => s.StatsStreams == 2);
        // The watcher's connection goes away while its stream is still being read: the server must end that stream itself.
        await watcher.Client.StopAsync();
        var afterWatcher = await ReadUntilAsync(observed, s => s.StatsStreams == 1);

        Assert.True(afterWatcher.Timestamp > withWatcher.Timestamp);
        await watcher.DisposeAsync();
    }

    [Fact]
    public async Task AdminDisconnectClosesARealConnectionAndSaysWhy()
    {
        using var admin = await AdminHttpAsync();
        var bob = Names.User("bob");
        await using var bobNotifications = await ConnectNotificationsAsync(bob, HubProtocolKind.MessagePack, exactName: true);

        using var response = await admin.PostAsJsonAsync(ApiRoutes.AdminUserDisconnectOf(bob), new DisconnectUserRequest("Maintenance"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Maintenance", (await bobNotifications.Events.Disconnecting.NextAsync()).Reason);
        await bobNotifications.Closed.WaitAsync(Timeouts.Default);
    }

    [Fact]
    public async Task ServesAnOpenApiDocumentOfTheRestApi()
    {
        using var http = new HttpClient { BaseAddress = Server.BaseAddress };

        var document = await http.GetStringAsync("/openapi/v1.json");

        foreach (var path in new[] { ApiRoutes.Notifications, ApiRoutes.RoomMessages, ApiRoutes.AdminUsers, ApiRoutes.AdminUserDisconnect,
                     ApiRoutes.AdminRooms, ApiRoutes.AdminRoomMembers, ApiRoutes.AdminRoomMember, ApiRoutes.AdminStats })
        {
            Assert.Contains($"\"{path}\"", document, StringComparison.Ordinal);
        }
        Assert.Contains("\"bearer\"", document, StringComparison.Ordinal);
    }

    private Task<HttpClient> AdminHttpAsync() => KestrelClients.AdminHttpClientAsync(Server);

    private async Task<NotificationSession> ConnectNotificationsAsync(string name, HubProtocolKind protocol, bool admin = false, bool exactName = false)
    {
        var userName = exactName ? name : Names.User(name);
        var token = await KestrelClients.GetTokenAsync(Server.BaseAddress, userName, admin ? NotificationTestExtensions.AdminRoles : []);
        var session = new NotificationSession(userName, new NotificationClient(KestrelClients.Options(Server.BaseAddress, token, protocol)));
        await session.Client.StartAsync().WaitAsync(Timeouts.Default);
        await session.Client.ReadyAsync();
        return session;
    }

    private static async Task<ServerStats> ReadUntilAsync(IAsyncEnumerator<ServerStats> samples, Func<ServerStats, bool> done)
    {
        while (await samples.MoveNextAsync())
        {
            if (done(samples.Current))
            {
                return samples.Current;
            }
        }
        throw new InvalidOperationException("The stats stream ended before the expected sample.");
    }
}
