using System.Net;
using Hubs.Contracts;
using Hubs.Server.Chat;
using Hubs.Server.Scaleout;
using Hubs.Tests.Infrastructure;
using Hubs.Tests.Observability;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Hubs.Tests.ScaleOut;

/// <summary>
/// Each instance probes its own pub/sub subscriptions: one that Redis no longer delivers is found, reported not
/// ready and subscribed again by itself; a healthy one is left alone.
/// </summary>
/// <remarks>A redis-server and two in-memory instances per test: these tests take subscriptions away.</remarks>
public sealed class SubscriptionLivenessTests : IAsyncLifetime
{
    private const int LostEventId = 1418;
    private const int RestoredEventId = 1419;
    private const int UnreadableBusMessageEventId = 1405;

    /// <summary>Long enough that a loaded 2-core box never misses a probe that is coming.</summary>
    private static readonly TimeSpan Lost = TimeSpan.FromSeconds(60);

    private readonly string _prefix = "liveness-" + Guid.NewGuid().ToString("N")[..12];
    private RedisServer _redis = null!;
    private ConnectionMultiplexer _admin = null!;
    private LoggedHubsApplication? _a;
    private LoggedHubsApplication? _b;

    private LoggedHubsApplication A => _a ?? throw new InvalidOperationException("Start the instances first.");

    private LoggedHubsApplication B => _b ?? throw new InvalidOperationException("Start the instances first.");

    private RedisChannel ChatChannel => new RedisKeys(_prefix).HubChannel(nameof(ChatHub));

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _admin = await ConnectionMultiplexer.ConnectAsync($"{_redis.ConnectionString},allowAdmin=true");
    }

    public async Task DisposeAsync()
    {
        foreach (var app in new[] { _a, _b })
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }
        }
        await _admin.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task ALostBackplaneSubscriptionIsFoundReportedNotReadyAndRestoredWithoutAnyClientReconnecting()
    {
        // Probes often, and a timeout short enough for a quick test yet far above a probe's round trip.
        StartInstances(interval: "00:00:00.5", timeout: "00:00:03");
        await using var alice = await A.ConnectChatAsync(Names.User("alice"));
        await using var bob = await B.ConnectChatAsync(Names.User("bob"));
        await AllSubscribedAsync();
        var before = await bob.Client.SendMessageAsync(new SendMessageRequest("before"));
        Assert.Equal(before.Id, (await alice.Events.Messages.NextAsync(m => m.Id == before.Id)).Id);
        var access = RedisChannelAccess.Of(_admin);

        try
        {
            await access.RefuseSubscriptionsAsync(ChatChannel);

            // Redis answers and the connections are back, but neither instance gets the chat channel: not ready.
            foreach (var app in new[] { A, B })
            {
                await Eventually.HoldsAsync(async () => await ReadyStatusAsync(app) == HttpStatusCode.ServiceUnavailable,
                    "the instance reports not ready while its chat subscription is lost", Lost);
                var warning = await app.Logs.WaitForAsync(r => r.EventId == LostEventId && (string?)r.Fields["Channel"] == ChatChannel.ToString(),
                    "the lost chat subscription is logged");
                Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Warning, warning.Level);
            }
            Assert.Equal(0, await access.SubscribersAsync(ChatChannel));
        }
        finally
        {
            await access.RestoreAsync();
        }

        // Nobody reconnects anything: each instance subscribes again by itself once Redis lets it.
        foreach (var app in new[] { A, B })
        {
            await Eventually.HoldsAsync(async () => await ReadyStatusAsync(app) == HttpStatusCode.OK, "the instance is ready again", Lost);
            await app.Logs.WaitForAsync(r => r.EventId == RestoredEventId && (string?)r.Fields["Channel"] == ChatChannel.ToString(),
                "the restored chat subscription is logged");
            Assert.True(Subscription(app, ChatChannel).Resubscriptions > 0, "the instance re-subscribed the chat channel itself");
        }
        Assert.Equal(2, await access.SubscribersAsync(ChatChannel));
        Assert.All(new[] { alice, bob }, s => Assert.Equal(HubConnectionState.Connected, s.Client.State));
        // Global, direct and presence events cross instances again, both ways.
        var global = await bob.Client.SendMessageAsync(new SendMessageRequest("back"));
        Assert.False(global.LocalOnly);
        Assert.Equal(global.Id, (await alice.Events.Messages.NextAsync(m => m.Id == global.Id)).Id);
        var direct = await alice.Client.SendDirectMessageAsync(new SendDirectMessageRequest(bob.UserName, "hear me?"));
        Assert.Equal(direct.Id, (await bob.Events.DirectMessages.NextAsync(m => m.Id == direct.Id)).Id);
        await using var carol = await B.ConnectChatAsync(Names.User("carol"));
        await alice.Events.UserConnected.NextAsync(e => e.User.Id == carol.UserName);
    }

    [Fact]
    public async Task RoomMessagesSentWhileTheRoomChannelWasLostAreCaughtUpOnceItIsSubscribedAgain()
    {
        StartInstances(interval: "00:00:00.5", timeout: "00:00:03");
        var room = Names.Room();
        await using var alice = await A.ConnectChatAsync(Names.User("alice"));
        await using var bob = await B.ConnectChatAsync(Names.User("bob"));
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await bob.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await AllSubscribedAsync();
        var roomChannel = new RedisKeys(_prefix).RoomMessages;
        var access = RedisChannelAccess.Of(_admin);
        var sent = new List<long>();

        try
        {
            await access.RefuseSubscriptionsAsync(roomChannel);
            await Eventually.HoldsAsync(async () => await ReadyStatusAsync(A) == HttpStatusCode.ServiceUnavailable,
                "instance A reports not ready while its room subscription is lost", Lost);
            // Stored and acknowledged, published to nobody.
            for (var i = 0; i < 3; i++)
            {
                sent.Add((await bob.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, $"while lost {i}"))).Id);
            }
        }
        finally
        {
            await access.RestoreAsync();
        }

        await Eventually.HoldsAsync(async () => await ReadyStatusAsync(A) == HttpStatusCode.OK, "instance A is ready again", Lost);
        sent.Add((await bob.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "after"))).Id);
        // Alice gets every message once, in order: the missed ones read back from the history, then the live one.
        var received = await alice.Events.RoomMessages.ReadThroughAsync(m => m.Id == sent[^1], Lost);
        Assert.Equal(sent, received.Select(m => m.Id));
    }

    [Fact]
    public async Task AHealthySubscriptionSeesItsProbesAndIsNeverSubscribedAgain()
    {
        // A probe every 100 ms, and a timeout no loaded box reaches.
        StartInstances(interval: "00:00:00.1", timeout: "00:00:30");
        await using var alice = await A.ConnectChatAsync(Names.User("alice"));
        await using var bob = await B.ConnectChatAsync(Names.User("bob"));
        await AllSubscribedAsync();
        var room = Names.Room();
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await bob.Client.JoinRoomAsync(new JoinRoomRequest(room));

        // Traffic on every kind of channel meanwhile, while each subscription of both instances sees several probes.
        var messages = new List<long>();
        var roomMessages = new List<long>();
        await Eventually.HoldsAsync(async () =>
        {
            messages.Add((await bob.Client.SendMessageAsync(new SendMessageRequest("tick"))).Id);
            roomMessages.Add((await bob.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "tock"))).Id);
            return new[] { A, B }.SelectMany(app => Subscriptions(app)).All(s => s.ProbesSeen >= 5);
        }, "every subscription of both instances has seen five of its probes", Lost);

        // The probes reached no client and no message handler: Alice got exactly what was sent, nothing unreadable was logged.
        Assert.Equal(messages, (await alice.Events.Messages.ReadThroughAsync(m => m.Id == messages[^1])).Select(m => m.Id));
        Assert.Equal(roomMessages, (await alice.Events.RoomMessages.ReadThroughAsync(m => m.Id == roomMessages[^1])).Select(m => m.Id));
        string[] expected = [nameof(IChatClient.Welcome), nameof(IChatClient.UserConnected), nameof(IChatClient.UserJoined), nameof(IChatClient.ReceiveMessage), nameof(IChatClient.ReceiveRoomMessage)];
        Assert.All(alice.Events.All.Drain(), e => Assert.Contains(e.Method, expected));
        foreach (var app in new[] { A, B })
        {
            Assert.All(Subscriptions(app), s => Assert.Equal(0, s.Resubscriptions));
            Assert.All(Subscriptions(app), s => Assert.False(s.IsBroken));
            Assert.DoesNotContain(app.Logs.Records, r => r.EventId is LostEventId or UnreadableBusMessageEventId);
            Assert.Equal(HttpStatusCode.OK, await ReadyStatusAsync(app));
        }
    }

    private void StartInstances(string interval, string timeout)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Redis:ConnectionString"] = _redis.ConnectionString,
            ["Redis:ChannelPrefix"] = _prefix,
            ["Redis:SubscriptionCheckInterval"] = interval,
            ["Redis:SubscriptionProbeTimeout"] = timeout,
        };
        _a = LoggedHubsApplication.WithSettings(settings);
        _b = LoggedHubsApplication.WithSettings(settings);
        // Start both hosts (and their background services) before anyone connects.
        _ = _a.Server;
        _ = _b.Server;
    }

    /// <summary>Both instances deliver on every channel: each has seen a probe of its own come back on each.</summary>
    private Task AllSubscribedAsync() =>
        Eventually.HoldsAsync(() => Task.FromResult(new[] { A, B }.All(app => Subscriptions(app) is { Count: >= 3 } all && all.All(s => s.ProbesSeen > 0))),
            "both instances receive on every channel", Lost);

    private static IReadOnlyCollection<WatchedSubscription> Subscriptions(LoggedHubsApplication app) =>
        app.Services.GetRequiredService<RedisSubscriptions>().Watched;

    private static WatchedSubscription Subscription(LoggedHubsApplication app, RedisChannel channel) =>
        Subscriptions(app).Single(s => s.Channel == channel);

    private static async Task<HttpStatusCode> ReadyStatusAsync(LoggedHubsApplication app)
    {
        using var http = app.CreateClient();
        using var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
        return response.StatusCode;
    }
}
