using System.Net.Http.Json;
using Hubs.Contracts;
using Hubs.Server.Presence;
using Hubs.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Hubs.Tests.Chat;

/// <summary>
/// Connection lifecycle against presence and rooms on the in-memory server when things happen at once: a call
/// still running when its connection closes, one tab of a user closing while another opens, many tabs coming
/// and going together. Each race that needs a precise interleaving is forced by holding the server at one point.
/// </summary>
public sealed class LifecycleRaceTests
{
    /// <summary>Enough tabs to make their connects and disconnects overlap, under the per-user limit set below.</summary>
    private const int Tabs = 24;

    [Fact]
    public async Task AJoinStillRunningWhenItsConnectionClosesLeavesNoGhostMember()
    {
        await using var app = new HeldJoinsApplication();
        var room = Names.Room();
        await using var observer = await app.ConnectChatAsync(Names.User("observer"));
        await observer.Client.JoinRoomAsync(new JoinRoomRequest(room));
        var leaver = await app.ConnectChatAsync(Names.User(HeldJoins.UserPrefix));

        // SignalR runs a call apart from the loop that reads the connection, so a close is handled while it runs.
        var join = leaver.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await app.Held.Entered.NextAsync(u => u == leaver.UserName);
        await leaver.DisposeAsync();
        await observer.Events.UserDisconnected.NextAsync(e => e.User.Id == leaver.UserName);
        app.Held.Release(leaver.UserName);
        await app.Held.Finished.NextAsync(u => u == leaver.UserName);
        await IgnoreOutcomeAsync(join);
        // Delivery to a connection is ordered: once this room message is back, any UserJoined / UserLeft has arrived too.
        var marker = await observer.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "marker"));
        await observer.Events.RoomMessages.NextAsync(m => m.Id == marker.Id);

        var members = await observer.Client.GetRoomMembersAsync(new GetRoomMembersRequest(room));
        Assert.Equal([observer.UserName], members.Select(m => m.Id));
        Assert.Equal(
            observer.Events.UserJoined.Drain().Count(e => e.User.Id == leaver.UserName),
            observer.Events.UserLeft.Drain().Count(e => e.User.Id == leaver.UserName));
    }

    [Fact]
    public async Task UserDisconnectedOfAClosingTabIsNeverOvertakenByUserConnectedOfTheTabThatReplacesIt()
    {
        await using var app = new HeldPresenceApplication();
        await using var observer = await app.ConnectChatAsync(Names.User("observer"));
        var user = Names.User("reload");
        var first = await app.ConnectChatAsync(user);
        await observer.Events.UserConnected.NextAsync(e => e.User.Id == user);

        // The server counts the user offline as the first tab closes, and is held before it says so until the
        // observer has heard of the second tab (or, if it never can, for a while).
        var secondAnnounced = observer.Events.UserConnected.NextAsync(e => e.User.Id == user);
        app.Presence.HoldLastRemoval(user, secondAnnounced);
        var closing = first.DisposeAsync().AsTask();
        await app.Presence.Held.WaitAsync(Timeouts.Default);
        await using var second = await app.ConnectChatAsync(user);
        await closing.WaitAsync(Timeouts.Default);
        await observer.Events.UserDisconnected.NextAsync(e => e.User.Id == user);
        await secondAnnounced;

        Assert.Equal(
            [nameof(IChatClient.UserConnected), nameof(IChatClient.UserDisconnected), nameof(IChatClient.UserConnected)],
            PresenceEventsOf(observer, user));
        Assert.Contains(user, await OnlineUserIdsAsync(app));
    }

    [Fact]
    public async Task ManyTabsOfOneUserOpeningAndClosingAtOnceAnnounceOnlineAndOfflineAlternately()
    {
        await using var app = ManyTabsApplication();
        await using var observer = await app.ConnectChatAsync(Names.User("observer"));
        var user = Names.User("tabs");

        await Task.WhenAll(Enumerable.Range(0, Tabs).Select(async _ =>
        {
            await using var tab = await app.ConnectChatAsync(user);
        }));
        await Eventually.HoldsAsync(async () => !(await OnlineUserIdsAsync(app)).Contains(user), $"{user} is offline");
        // The last tab is announced before its Welcome, and delivery to the observer is ordered: once the observer
        // has the last tab's message, it has every announcement about the user.
        await using var last = await app.ConnectChatAsync(user);
        var marker = await last.Client.SendMessageAsync(new SendMessageRequest("marker"));
        await observer.Events.Messages.NextAsync(m => m.Id == marker.Id);

        var events = PresenceEventsOf(observer, user);
        AssertAlternate(events, nameof(IChatClient.UserConnected), nameof(IChatClient.UserDisconnected));
        Assert.Equal(nameof(IChatClient.UserConnected), events[^1]);
        Assert.Equal([new UserConnections(new UserInfo(user, user), 1)], (await OnlineUsersAsync(app)).Where(u => u.User.Id == user));
    }

    [Fact]
    public async Task ManyTabsOfOneUserJoiningLeavingAndClosingAtOnceKeepUserJoinedAndUserLeftPairedAndLeaveNoGhost()
    {
        await using var app = ManyTabsApplication();
        var room = Names.Room("busy");
        await using var observer = await app.ConnectChatAsync(Names.User("observer"));
        await observer.Client.JoinRoomAsync(new JoinRoomRequest(room));
        var user = Names.User("tabs");

        await Task.WhenAll(Enumerable.Range(0, Tabs).Select(async i =>
        {
            var tab = await app.ConnectChatAsync(user);
            Task? inFlight = null;
            await using (tab)
            {
                switch (i % 3)
                {
                    case 0:
                        await tab.Client.JoinRoomAsync(new JoinRoomRequest(room));
                        await tab.Client.LeaveRoomAsync(new LeaveRoomRequest(room));
                        break;
                    case 1:
                        await tab.Client.JoinRoomAsync(new JoinRoomRequest(room));
                        inFlight = tab.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "closing"));
                        break;
                    default:
                        // Closed while its join may still be on the way or running.
                        inFlight = tab.Client.JoinRoomAsync(new JoinRoomRequest(room));
                        break;
                }
            }
            if (inFlight is not null)
            {
                await IgnoreOutcomeAsync(inFlight);
            }
        }));
        await Eventually.HoldsAsync(
            async () => (await observer.Client.GetRoomMembersAsync(new GetRoomMembersRequest(room))).Select(m => m.Id).SequenceEqual([observer.UserName]),
            $"only {observer.UserName} is in {room}");
        // Joined after all the others are gone: once the observer has its message, it has every earlier UserJoined / UserLeft.
        await using var last = await app.ConnectChatAsync(user);
        await last.Client.JoinRoomAsync(new JoinRoomRequest(room));
        var marker = await last.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "marker"));
        await observer.Events.RoomMessages.NextAsync(m => m.Id == marker.Id);

        var events = observer.Events.All.Drain()
            .Where(e => e.Payload is RoomEvent r && r.Room == room && r.User.Id == user)
            .Select(e => e.Method)
            .ToList();
        AssertAlternate(events, nameof(IChatClient.UserJoined), nameof(IChatClient.UserLeft));
        Assert.Equal(nameof(IChatClient.UserJoined), events[^1]);
        var members = await observer.Client.GetRoomMembersAsync(new GetRoomMembersRequest(room));
        Assert.Equal([observer.UserName, user], members.Select(m => m.Id).Order(StringComparer.Ordinal));
    }

    private static HubsApplication ManyTabsApplication() =>
        HubsApplication.With("Limits:MaxConnectionsPerUser", "100");

    private static List<string> PresenceEventsOf(ChatSession observer, string userId) =>
        [.. observer.Events.All.Drain()
            .Where(e => e.Payload is UserEvent u && u.User.Id == userId)
            .Select(e => e.Method)];

    private static void AssertAlternate(IReadOnlyList<string> events, string first, string second)
    {
        for (var i = 0; i < events.Count; i++)
        {
            Assert.True(events[i] == (i % 2 == 0 ? first : second), $"Event {i} of [{string.Join(", ", events)}] breaks the {first}/{second} alternation.");
        }
    }

    private static async Task<IReadOnlyList<UserConnections>> OnlineUsersAsync(HubsApplication app)
    {
        using var admin = app.AdminHttpClient();
        return await admin.GetFromJsonAsync<List<UserConnections>>(ApiRoutes.AdminUsers) ?? [];
    }

    private static async Task<IReadOnlyList<string>> OnlineUserIdsAsync(HubsApplication app) =>
        [.. (await OnlineUsersAsync(app)).Select(u => u.User.Id)];

    private static async Task IgnoreOutcomeAsync(Task call)
    {
        try
        {
            await call.WaitAsync(Timeouts.Default);
        }
        catch (Exception ex) when (ex is not TimeoutException)
        {
            // The connection it was made on is gone; only what the server did matters.
        }
    }

    private sealed class HeldJoinsApplication : HubsApplication
    {
        public HeldJoins Held { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.Configure<HubOptions>(hub => hub.AddFilter(Held)));
        }
    }

    /// <summary>Holds JoinRoom calls of users named "held…" just before the hub method until the test releases them.</summary>
    private sealed class HeldJoins : IHubFilter
    {
        public const string UserPrefix = "held";

        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource> _releases = new(StringComparer.Ordinal);

        public EventStream<string> Entered { get; } = new();

        /// <summary>The held call has run through the hub, whatever its outcome.</summary>
        public EventStream<string> Finished { get; } = new();

        public void Release(string user) => Gate(user).TrySetResult();

        public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
        {
            if (invocationContext.HubMethodArguments is not [JoinRoomRequest]
                || invocationContext.Context.UserIdentifier is not { } user
                || !user.StartsWith(UserPrefix, StringComparison.Ordinal))
            {
                return await next(invocationContext);
            }
            await Entered.Add(user);
            await Gate(user).Task.WaitAsync(Timeouts.Default);
            try
            {
                return await next(invocationContext);
            }
            finally
            {
                await Finished.Add(user);
            }
        }

        private TaskCompletionSource Gate(string user) =>
            _releases.GetOrAdd(user, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
    }

    private sealed class HeldPresenceApplication : HubsApplication
    {
        public HeldPresence Presence => (HeldPresence)Services.GetRequiredService<IPresenceStore>();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.AddSingleton<IPresenceStore>(_ => new HeldPresence(new InMemoryPresenceStore())));
        }
    }

    /// <summary>
    /// The server's presence store, pausing right after it forgets the last connection of one chosen user, before the
    /// hub can announce it, until a given task completes or a few seconds pass (a fixed server never completes it).
    /// </summary>
    private sealed class HeldPresence(IPresenceStore inner) : IPresenceStore
    {
        private static readonly TimeSpan s_longestHold = TimeSpan.FromSeconds(3);
        private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private volatile string? _userId;
        private Task _until = Task.CompletedTask;

        /// <summary>Completes when the held removal has happened and is paused.</summary>
        public Task Held => _held.Task;

        public void HoldLastRemoval(string userId, Task until)
        {
            _until = until;
            _userId = userId;
        }

        public Task<bool> AddConnectionAsync(UserInfo user, string connectionId, CancellationToken cancellationToken) =>
            inner.AddConnectionAsync(user, connectionId, cancellationToken);

        public async Task<bool> RemoveConnectionAsync(string userId, string connectionId, CancellationToken cancellationToken)
        {
            var last = await inner.RemoveConnectionAsync(userId, connectionId, cancellationToken);
            if (last && userId == _userId && _held.TrySetResult())
            {
                await _until.WaitAsync(s_longestHold).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            return last;
        }

        public Task<bool> IsOnlineAsync(string userId, CancellationToken cancellationToken) => inner.IsOnlineAsync(userId, cancellationToken);

        public Task<IReadOnlyList<OnlineUser>> GetOnlineUsersAsync(CancellationToken cancellationToken) => inner.GetOnlineUsersAsync(cancellationToken);
    }
}
