using System.Net.Http.Json;
using Hubs.Contracts;
using Hubs.Server.Presence;
using Hubs.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Hubs.Tests.Chat;

/// <summary>
/// Connection lifecycle against presence and rooms on the in-memory server when things happen at once: one tab of
/// a user closing while another opens, many tabs coming and going together. Each race that needs a precise interleaving is forced by holding the server at one point.
/// </summary>
public sealed class LifecycleRaceTests
{
    /// <summary>Enough tabs to make their connects and disconnects overlap, under the per-user limit set below.</summary>
    private const int Tabs = 24;

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
