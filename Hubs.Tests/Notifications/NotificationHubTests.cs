using System.Net;
using Hubs.Client;
using Hubs.Contracts;
using Hubs.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;

namespace Hubs.Tests.Notifications;

/// <summary>The notification hub contract, run once per protocol by the sealed subclasses below.</summary>
public abstract class NotificationHubTests(HubsApplication app, HubProtocolKind protocol) : IClassFixture<HubsApplication>
{
    private Task<NotificationSession> ConnectAsync(string prefix) => app.ConnectNotificationsAsync(Names.User(prefix), protocol);

    [Fact]
    public async Task TopicNotificationReachesOnlySubscribersOfThatTopic()
    {
        var topic = Names.Room("topic");
        using var admin = app.AdminHttpClient();
        await using var alice = await ConnectAsync("alice");
        await using var bob = await ConnectAsync("bob");
        await using var carol = await ConnectAsync("carol");
        await alice.FollowAsync(topic);
        await bob.FollowAsync(Names.Room("other"));

        var sent = await admin.PublishAsync("  Build finished  ", topic, "all green");
        var marker = await admin.PublishAsync("marker");

        var received = await alice.Events.Notifications.NextAsync(n => n.Id == sent.Id);
        Assert.Equal(sent, received);
        Assert.Equal("Build finished", received.Title);
        Assert.Equal(topic, received.Topic);
        Assert.Equal("all green", received.Body);
        Assert.Equal(DateTimeKind.Utc, received.Timestamp.Kind);
        Assert.DoesNotContain(await bob.ReceivedBeforeAsync(marker.Id), n => n.Id == sent.Id);
        Assert.DoesNotContain(await carol.ReceivedBeforeAsync(marker.Id), n => n.Id == sent.Id);
    }

    [Fact]
    public async Task EveryoneNotificationReachesAllConnectedNotificationClients()
    {
        using var admin = app.AdminHttpClient();
        await using var alice = await ConnectAsync("alice");
        await using var bob = await ConnectAsync("bob");
        await bob.FollowAsync(Names.Room("topic"));

        var sent = await admin.PublishAsync("Maintenance at noon");

        foreach (var session in new[] { alice, bob })
        {
            var received = await session.Events.Notifications.NextAsync(n => n.Id == sent.Id);
            Assert.Null(received.Topic);
            Assert.Equal("Maintenance at noon", received.Title);
            Assert.Equal("", received.Body);
        }
    }

    [Fact]
    public async Task UnsubscribedConnectionNoLongerReceivesTheTopic()
    {
        var topic = Names.Room("topic");
        using var admin = app.AdminHttpClient();
        await using var alice = await ConnectAsync("alice");
        await alice.FollowAsync(topic);
        var first = await admin.PublishAsync("first", topic);
        await alice.Events.Notifications.NextAsync(n => n.Id == first.Id);

        var ack = await alice.Client.UnsubscribeAsync(new UnsubscribeRequest(topic));
        var second = await admin.PublishAsync("second", topic);
        var marker = await admin.PublishAsync("marker");

        Assert.True(ack.Ok);
        Assert.DoesNotContain(await alice.ReceivedBeforeAsync(marker.Id), n => n.Id == second.Id);
    }

    [Fact]
    public async Task SubscribingTwiceAcksFalseTheSecondTimeAndDeliversOnce()
    {
        var topic = Names.Room("topic");
        using var admin = app.AdminHttpClient();
        await using var alice = await ConnectAsync("alice");

        var first = await alice.Client.SubscribeAsync(new SubscribeRequest(topic));
        var second = await alice.Client.SubscribeAsync(new SubscribeRequest(topic));
        var sent = await admin.PublishAsync("once", topic);
        var marker = await admin.PublishAsync("marker");

        Assert.True(first.Ok);
        Assert.False(second.Ok);
        var before = await alice.ReceivedBeforeAsync(marker.Id);
        Assert.Single(before, n => n.Id == sent.Id);
    }

    [Fact]
    public async Task EachConnectionOfAUserSubscribesOnItsOwn()
    {
        var topic = Names.Room("topic");
        var name = Names.User("alice");
        using var admin = app.AdminHttpClient();
        await using var phone = await app.ConnectNotificationsAsync(name, protocol);
        await using var laptop = await app.ConnectNotificationsAsync(name, protocol);
        await phone.FollowAsync(topic);

        var sent = await admin.PublishAsync("to the phone", topic);
        var marker = await admin.PublishAsync("marker");

        await phone.Events.Notifications.NextAsync(n => n.Id == sent.Id);
        Assert.DoesNotContain(await laptop.ReceivedBeforeAsync(marker.Id), n => n.Id == sent.Id);
    }

    [Fact]
    public async Task UnsubscribingATopicNotSubscribedAcksFalseAndTheConnectionStaysUsable()
    {
        await using var alice = await ConnectAsync("alice");

        var ack = await alice.Client.UnsubscribeAsync(new UnsubscribeRequest(Names.Room("never")));

        Assert.False(ack.Ok);
        await alice.FollowAsync(Names.Room("topic"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("a/b")]
    [InlineData("ünïcode")]
    [InlineData("x-65-characters-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]
    public async Task InvalidTopicNameFailsWithAHubExceptionAndTheConnectionStaysUsable(string topic)
    {
        await using var alice = await ConnectAsync("alice");

        var subscribe = await Assert.ThrowsAsync<HubException>(() => alice.Client.SubscribeAsync(new SubscribeRequest(topic)));
        var unsubscribe = await Assert.ThrowsAsync<HubException>(() => alice.Client.UnsubscribeAsync(new UnsubscribeRequest(topic)));

        Assert.Contains("Invalid topic name", subscribe.Message, StringComparison.Ordinal);
        Assert.Contains("Invalid topic name", unsubscribe.Message, StringComparison.Ordinal);
        await alice.FollowAsync(Names.Room("topic"));
    }

    [Fact]
    public async Task ARefusedSubscriptionThrowsTheServersOwnMessageWithoutSignalRsPreamble()
    {
        await using var alice = await ConnectAsync("alice");

        var error = await Assert.ThrowsAsync<HubException>(() => alice.Client.SubscribeAsync(new SubscribeRequest("has space")));

        Assert.StartsWith("Invalid topic name 'has space': topic names must match ", error.Message, StringComparison.Ordinal);
        Assert.IsType<HubException>(error.InnerException);
    }

    [Fact]
    public async Task MissingTopicFailsWithAHubException()
    {
        await using var alice = await ConnectAsync("alice");

        var error = await Assert.ThrowsAsync<HubException>(() => alice.Client.SubscribeAsync(new SubscribeRequest(null!)));

        Assert.Contains("Invalid topic name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotificationHubRefusesConnectionsWithoutAToken()
    {
        await using var client = new NotificationClient(app.HubOptionsFor(null, protocol));

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.StartAsync());

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
    }
}

public sealed class NotificationHubJsonTests(HubsApplication app) : NotificationHubTests(app, HubProtocolKind.Json);

public sealed class NotificationHubMessagePackTests(HubsApplication app) : NotificationHubTests(app, HubProtocolKind.MessagePack);

/// <summary>Limits configured per server.</summary>
public sealed class NotificationLimitTests
{
    [Fact]
    public async Task AConnectionCannotFollowMoreTopicsThanTheLimit()
    {
        await using var app = HubsApplication.With(new Dictionary<string, string?> { ["Notifications:MaxTopicsPerConnection"] = "2" });
        await using var alice = await app.ConnectNotificationsAsync(Names.User("alice"));
        await alice.FollowAsync("one");
        await alice.FollowAsync("two");

        var error = await Assert.ThrowsAsync<HubException>(() => alice.Client.SubscribeAsync(new SubscribeRequest("three")));

        Assert.Contains("the limit", error.Message, StringComparison.Ordinal);
        Assert.False((await alice.Client.SubscribeAsync(new SubscribeRequest("two"))).Ok);
        Assert.True((await alice.Client.UnsubscribeAsync(new UnsubscribeRequest("one"))).Ok);
        await alice.FollowAsync("three");
    }

    [Fact]
    public async Task AnInvalidNotificationSettingStopsTheServerWithTheKeyNamed()
    {
        await using var app = HubsApplication.With(new Dictionary<string, string?> { ["Notifications:StatsInterval"] = "00:00:00.001" });

        var error = Assert.ThrowsAny<Exception>(() => app.Server);

        Assert.Contains("Notifications:StatsInterval", error.ToString(), StringComparison.Ordinal);
    }
}
