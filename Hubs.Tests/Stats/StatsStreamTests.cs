using System.Diagnostics.Metrics;
using System.Net.Http.Json;
using Hubs.Client;
using Hubs.Contracts;
using Hubs.Server.Stats;
using Hubs.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;

namespace Hubs.Tests.Stats;

/// <summary>
/// The live statistics stream on a server whose clock only the test moves: each Advance of one interval
/// produces exactly one sample, so nothing here waits on wall-clock time.
/// </summary>
public sealed class StatsStreamTests(FakeClockApplication app) : IClassFixture<FakeClockApplication>
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task StreamSendsASampleAtOnceAndOneMorePerInterval()
    {
        await using var admin = await ConnectAdminAsync(app);
        using var cts = new CancellationTokenSource(Timeouts.Default);
        await using var samples = admin.Client.StreamStatsAsync(cancellationToken: cts.Token).GetAsyncEnumerator(cts.Token);

        var first = await NextAsync(samples);
        app.Clock.Advance(Interval);
        var second = await NextAsync(samples);
        app.Clock.Advance(Interval);
        var third = await NextAsync(samples);

        Assert.Equal(DateTimeKind.Utc, first.Timestamp.Kind);
        Assert.Equal(Interval, second.Timestamp - first.Timestamp);
        Assert.Equal(Interval, third.Timestamp - second.Timestamp);
    }

    [Fact]
    public async Task AnOpenStreamDoesNotHoldUpOtherCallsOnTheSameConnection()
    {
        await using var admin = await ConnectAdminAsync(app);
        using var cts = new CancellationTokenSource(Timeouts.Default);
        await using var samples = admin.Client.StreamStatsAsync(cancellationToken: cts.Token).GetAsyncEnumerator(cts.Token);
        await NextAsync(samples);

        await admin.FollowAsync(Names.Room("topic"));
        app.Clock.Advance(Interval);

        await NextAsync(samples);
    }

    [Fact]
    public async Task StreamUsesTheIntervalTheClientAsksFor()
    {
        await using var admin = await ConnectAdminAsync(app);
        using var cts = new CancellationTokenSource(Timeouts.Default);
        await using var samples = admin.Client.StreamStatsAsync(new StreamStatsRequest(5000), cts.Token).GetAsyncEnumerator(cts.Token);

        var first = await NextAsync(samples);
        app.Clock.Advance(TimeSpan.FromSeconds(5));
        var second = await NextAsync(samples);

        Assert.Equal(TimeSpan.FromSeconds(5), second.Timestamp - first.Timestamp);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(99)]
    [InlineData(60_001)]
    public async Task AnIntervalOutOfRangeFailsTheStreamAndTheConnectionStaysUsable(int milliseconds)
    {
        await using var admin = await ConnectAdminAsync(app);

        var error = await Assert.ThrowsAsync<HubException>(async () =>
        {
            await foreach (var _ in admin.Client.StreamStatsAsync(new StreamStatsRequest(milliseconds)))
            {
                Assert.Fail("a sample arrived for an invalid interval");
            }
        });

        Assert.Contains("intervalMilliseconds must be between 100 and 60000", error.Message, StringComparison.Ordinal);
        await admin.FollowAsync(Names.Room("topic"));
    }

    [Fact]
    public async Task ServerEndsTheStreamWhenTheClientStopsReading()
    {
        using var streams = StreamsRecorder(app);
        await using var admin = await ConnectAdminAsync(app);

        await foreach (var _ in admin.Client.StreamStatsAsync().WithCancellation(new CancellationTokenSource(Timeouts.Default).Token))
        {
            Assert.Equal(1, await streams.Measurements.NextAsync());
            break;
        }

        Assert.Equal(-1, await streams.Measurements.NextAsync());
        await admin.FollowAsync(Names.Room("still-usable"));
    }

    [Fact]
    public async Task ServerEndsTheStreamWhenTheClientCancelsWhileWaiting()
    {
        using var streams = StreamsRecorder(app);
        await using var admin = await ConnectAdminAsync(app);
        using var cts = new CancellationTokenSource();
        await using var samples = admin.Client.StreamStatsAsync(cancellationToken: cts.Token).GetAsyncEnumerator(cts.Token);
        await NextAsync(samples);
        Assert.Equal(1, await streams.Measurements.NextAsync());

        // No Advance: the server is parked on its timer when the cancel arrives.
        var waiting = samples.MoveNextAsync().AsTask();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Timeouts.Default));
        Assert.Equal(-1, await streams.Measurements.NextAsync());
    }

    [Fact]
    public async Task ServerEndsTheStreamWhenTheConnectionCloses()
    {
        using var streams = StreamsRecorder(app);
        var admin = await ConnectAdminAsync(app);
        using var cts = new CancellationTokenSource(Timeouts.Default);
        var samples = admin.Client.StreamStatsAsync(cancellationToken: cts.Token).GetAsyncEnumerator(cts.Token);
        await NextAsync(samples);
        Assert.Equal(1, await streams.Measurements.NextAsync());

        await admin.Client.StopAsync();

        Assert.Equal(-1, await streams.Measurements.NextAsync());
        await admin.DisposeAsync();
    }

    [Fact]
    public async Task SamplesCountConnectionsUsersRoomsAndMessagesOfTheLastSecond()
    {
        // A server of its own, so the counts are exactly this test's.
        await using var fresh = new FakeClockApplication();
        var room = Names.Room();
        await using var alicePhone = await fresh.ConnectChatAsync("alice");
        await using var aliceLaptop = await fresh.ConnectChatAsync("alice").ReadyAsync();
        await using var bob = await fresh.ConnectChatAsync("bob");
        await alicePhone.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await bob.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await using var admin = await ConnectAdminAsync(fresh);
        using var cts = new CancellationTokenSource(Timeouts.Default);
        await using var samples = admin.Client.StreamStatsAsync(cancellationToken: cts.Token).GetAsyncEnumerator(cts.Token);
        var idle = await NextAsync(samples);

        await alicePhone.Client.SendMessageAsync(new SendMessageRequest("hello all"));
        await alicePhone.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "hello room"));
        await bob.Client.SendDirectMessageAsync(new SendDirectMessageRequest("alice", "hello alice"));
        using var http = fresh.AdminHttpClient();
        (await http.PostAsJsonAsync(ApiRoutes.RoomMessagesOf(room), new PostRoomMessageRequest("from the system"))).EnsureSuccessStatusCode();
        var refused = await Assert.ThrowsAsync<HubException>(() => bob.Client.SendMessageAsync(new SendMessageRequest("   ")));
        fresh.Clock.Advance(Interval);
        var busy = await NextAsync(samples);
        fresh.Clock.Advance(Interval);
        var quiet = await NextAsync(samples);

        Assert.Equal(new ServerStats(idle.Timestamp, 3, 2, 1, 0, 0, 1), idle);
        Assert.Equal(new ServerStats(idle.Timestamp + Interval, 3, 2, 1, 4, 4, 1), busy);
        Assert.Equal(0, quiet.MessagesPerSecond);
        Assert.Equal(4, quiet.MessagesTotal);
        Assert.NotNull(refused);
    }

    [Fact]
    public async Task MessageCounterIsPublishedOnTheMeterByKind()
    {
        await using var fresh = new FakeClockApplication();
        var factory = fresh.Services.GetRequiredService<IMeterFactory>();
        using var messages = new MetricRecorder(factory, HubMetrics.MeterName, HubMetrics.MessagesInstrument);
        await using var alice = await fresh.ConnectChatAsync("alice");

        await alice.Client.SendMessageAsync(new SendMessageRequest("counted"));

        Assert.Equal(1, await messages.Measurements.NextAsync());
        Assert.Equal(1, fresh.Services.GetRequiredService<HubMetrics>().MessagesTotal);
    }

    private static async Task<ServerStats> NextAsync(IAsyncEnumerator<ServerStats> samples)
    {
        Assert.True(await samples.MoveNextAsync().AsTask().WaitAsync(Timeouts.Default), "the stats stream ended");
        return samples.Current;
    }

    private static Task<NotificationSession> ConnectAdminAsync(HubsApplication server) =>
        server.ConnectNotificationsAsync(Names.User("admin"), HubProtocolKind.MessagePack, NotificationTestExtensions.AdminRoles);

    private static MetricRecorder StreamsRecorder(HubsApplication server) =>
        new(server.Services.GetRequiredService<IMeterFactory>(), HubMetrics.MeterName, HubMetrics.StatsStreamsInstrument);
}
