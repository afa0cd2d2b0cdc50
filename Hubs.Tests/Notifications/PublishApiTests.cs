using System.Net;
using System.Net.Http.Json;
using System.Text;
using Hubs.Contracts;
using Hubs.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Hubs.Tests.Notifications;

/// <summary>Server-side publishing: <c>POST /api/notifications</c> and <c>POST /api/rooms/{room}/messages</c>.</summary>
public sealed class PublishApiTests(HubsApplication app) : IClassFixture<HubsApplication>
{
    [Fact]
    public async Task PublishingANotificationAnswers202WithWhatWasSent()
    {
        using var admin = app.AdminHttpClient();
        var before = DateTime.UtcNow.AddMinutes(-1);

        using var response = await admin.PostAsJsonAsync(ApiRoutes.Notifications, new { title = " Hello ", body = " world ", topic = "news" });
        var json = await response.Content.ReadAsStringAsync();
        var notification = await response.Content.ReadFromJsonAsync<Notification>();

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Contains("\"title\":\"Hello\"", json, StringComparison.Ordinal);
        Assert.Equal("Hello", notification!.Title);
        Assert.Equal("world", notification.Body);
        Assert.Equal("news", notification.Topic);
        Assert.True(notification.Id > 0);
        Assert.InRange(notification.Timestamp, before, DateTime.UtcNow.AddMinutes(1));
    }

    [Fact]
    public async Task NotificationIdsIncrease()
    {
        using var admin = app.AdminHttpClient();

        var first = await admin.PublishAsync("one");
        var second = await admin.PublishAsync("two");

        Assert.True(second.Id > first.Id);
    }

    public static TheoryData<string, string> BadNotificationBodies => new()
    {
        { """{"title":""}""", "title" },
        { """{"title":"   "}""", "title" },
        { """{"body":"no title"}""", "title" },
        { "{\"title\":\"" + new string('x', 201) + "\"}", "title" },
        { "{\"title\":\"ok\",\"body\":\"" + new string('x', 4001) + "\"}", "body" },
        { """{"title":"ok","topic":"bad topic"}""", "topic" },
        { """{"title":"ok","topic":""}""", "topic" },
        { "null", "request" },
        { """{"title":5}""", "title" },
        { """{"title":"ok",""", "request" },
        { "not json", "request" },
    };

    [Theory]
    [MemberData(nameof(BadNotificationBodies))]
    public async Task ABadNotificationIsRefusedWith400NamingTheFieldAndNothingIsSent(string body, string field)
    {
        using var admin = app.AdminHttpClient();
        await using var listener = await app.ConnectNotificationsAsync(Names.User("listener"));

        using var response = await admin.PostAsync(ApiRoutes.Notifications, new StringContent(body, Encoding.UTF8, "application/json"));
        var problem = await response.Content.ReadFromJsonAsync<HttpValidationProblemDetails>();
        var marker = await admin.PublishAsync("marker");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(problem!.Errors.ContainsKey(field), $"errors were: {string.Join(", ", problem.Errors.Keys)}");
        Assert.All(problem.Errors[field], message => Assert.False(string.IsNullOrWhiteSpace(message)));
        Assert.Empty(await listener.ReceivedBeforeAsync(marker.Id));
    }

    [Fact]
    public async Task RoomPostReachesRoomMembersFromTheSystemSenderAndLandsInHistory()
    {
        var room = Names.Room();
        using var admin = app.AdminHttpClient();
        await using var alice = await app.ConnectChatAsync(Names.User("alice"));
        await using var bob = await app.ConnectChatAsync(Names.User("bob"));
        await using var outsider = await app.ConnectChatAsync(Names.User("carol"));
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await bob.Client.JoinRoomAsync(new JoinRoomRequest(room));
        var memberMessage = await alice.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "before"));

        using var response = await admin.PostAsJsonAsync(ApiRoutes.RoomMessagesOf(room), new PostRoomMessageRequest("  Server restarts in 5 minutes  "));
        var posted = await response.Content.ReadFromJsonAsync<ChatMessage>();

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(SystemSender.User, posted!.Sender);
        Assert.Equal("Server restarts in 5 minutes", posted.Text);
        Assert.Equal(room, posted.Room);
        Assert.True(posted.Id > memberMessage.Id, "room ids keep increasing across member and system messages");
        foreach (var member in new[] { alice, bob })
        {
            Assert.Equal(posted, await member.Events.RoomMessages.NextAsync(m => m.Id == posted.Id));
        }
        var history = await alice.Client.GetRoomHistoryAsync(new GetRoomHistoryRequest(room));
        Assert.Equal([memberMessage.Id, posted.Id], history.Select(m => m.Id));
        await outsider.Client.JoinRoomAsync(new JoinRoomRequest(room));
        Assert.Empty(outsider.Events.RoomMessages.Drain());
    }

    [Fact]
    public async Task RoomPostIsRecoveredByAMemberWhoWasAway()
    {
        var room = Names.Room();
        using var admin = app.AdminHttpClient();
        await using var alice = await app.ConnectChatAsync(Names.User("alice"));
        var joined = await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));
        var seen = await alice.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "last one I saw"));
        await alice.Client.LeaveRoomAsync(new LeaveRoomRequest(room));

        using var response = await admin.PostAsJsonAsync(ApiRoutes.RoomMessagesOf(room), new PostRoomMessageRequest("while you were away"));
        var posted = await response.Content.ReadFromJsonAsync<ChatMessage>();
        var rejoined = await alice.Client.JoinRoomAsync(new JoinRoomRequest(room, seen.Id));

        Assert.Empty(joined.History);
        var missed = Assert.Single(rejoined.History);
        Assert.Equal(posted, missed);
        Assert.False(rejoined.HistoryTruncated);
    }

    [Fact]
    public async Task RoomPostToARoomNobodyIsInIsKeptForLaterJoiners()
    {
        var room = Names.Room();
        using var admin = app.AdminHttpClient();

        using var response = await admin.PostAsJsonAsync(ApiRoutes.RoomMessagesOf(room), new PostRoomMessageRequest("welcome"));
        await using var alice = await app.ConnectChatAsync(Names.User("alice"));
        var joined = await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("welcome", Assert.Single(joined.History).Text);
    }

    public static TheoryData<string, string, string> BadRoomPosts => new()
    {
        { "bad room", """{"text":"hi"}""", "room" },
        { new string('r', 65), """{"text":"hi"}""", "room" },
        { "ok-room", """{"text":""}""", "text" },
        { "ok-room", """{"text":"   "}""", "text" },
        { "ok-room", "{\"text\":\"" + new string('x', 4001) + "\"}", "text" },
        { "ok-room", "{}", "text" },
        { "ok-room", "null", "request" },
    };

    [Theory]
    [MemberData(nameof(BadRoomPosts))]
    public async Task ABadRoomPostIsRefusedWith400NamingTheFieldAndKeepsNothing(string room, string body, string field)
    {
        using var admin = app.AdminHttpClient();

        using var response = await admin.PostAsync(ApiRoutes.RoomMessagesOf(room), new StringContent(body, Encoding.UTF8, "application/json"));
        var problem = await response.Content.ReadFromJsonAsync<HttpValidationProblemDetails>();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(problem!.Errors.ContainsKey(field), $"errors were: {string.Join(", ", problem.Errors.Keys)}");
        if (field != "room")
        {
            await using var alice = await app.ConnectChatAsync(Names.User("alice"));
            Assert.Empty((await alice.Client.JoinRoomAsync(new JoinRoomRequest(room))).History);
        }
    }
}
