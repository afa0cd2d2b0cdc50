using Hubs.Contracts;
using Hubs.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;

namespace Hubs.Tests.Chat;

public abstract partial class ChatHubTests
{
    public static TheoryData<string?> EmptyTexts => new() { "", "   ", "\n\t ", null };

    public static TheoryData<string?> BadRoomNames => new()
    {
        "../x", new string('r', 65), "", "with space", "a/b", "emoji-😀", null,
    };

    [Theory]
    [MemberData(nameof(EmptyTexts))]
    public async Task EmptyTextIsRejectedAndTheConnectionStaysUsable(string? text)
    {
        await using var alice = await ConnectAsync(Names.User("alice"));

        var error = await Assert.ThrowsAsync<HubException>(() => alice.Client.SendMessageAsync(new SendMessageRequest(text!)));

        Assert.Contains("must not be empty", error.Message, StringComparison.Ordinal);
        await AssertStillUsableAsync(alice);
    }

    [Fact]
    public async Task TextLongerThan4000CharactersIsRejectedButExactly4000IsAccepted()
    {
        await using var alice = await ConnectAsync(Names.User("alice"));

        var error = await Assert.ThrowsAsync<HubException>(() => alice.Client.SendMessageAsync(new SendMessageRequest(new string('x', 4001))));
        var ack = await alice.Client.SendMessageAsync(new SendMessageRequest("  " + new string('y', 4000) + "  "));

        Assert.Contains("4001 characters; the limit is 4000", error.Message, StringComparison.Ordinal);
        Assert.Equal(4000, (await alice.Events.Messages.NextAsync(m => m.Id == ack.Id)).Text.Length);
    }

    [Theory]
    [MemberData(nameof(BadRoomNames))]
    public async Task InvalidRoomNamesAreRejectedEverywhere(string? room)
    {
        await using var alice = await ConnectAsync(Names.User("alice"));

        Func<Task>[] calls =
        [
            () => alice.Client.JoinRoomAsync(new JoinRoomRequest(room!)),
            () => alice.Client.LeaveRoomAsync(new LeaveRoomRequest(room!)),
            () => alice.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room!, "hi")),
            () => alice.Client.GetRoomMembersAsync(new GetRoomMembersRequest(room!)),
            () => alice.Client.GetRoomHistoryAsync(new GetRoomHistoryRequest(room!)),
        ];
        foreach (var call in calls)
        {
            var error = await Assert.ThrowsAsync<HubException>(call);
            Assert.Contains("Invalid room name", error.Message, StringComparison.Ordinal);
        }
        await AssertStillUsableAsync(alice);
    }

    [Fact]
    public async Task A64CharacterRoomNameIsAccepted()
    {
        await using var alice = await ConnectAsync(Names.User("alice"));
        var room = "Aa0_.-" + new string('r', 58);

        var joined = await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));

        Assert.Equal(room, joined.Room);
    }

    [Fact]
    public async Task RoomMessageWithoutMembershipIsRejectedAndDeliversNothing()
    {
        var room = Names.Room();
        await using var member = await ConnectAsync(Names.User("member"));
        await using var stranger = await ConnectAsync(Names.User("stranger"));
        await member.Client.JoinRoomAsync(new JoinRoomRequest(room));

        var error = await Assert.ThrowsAsync<HubException>(() => stranger.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "let me in")));
        var marker = await stranger.Client.SendMessageAsync(new SendMessageRequest("marker"));

        Assert.Contains($"not a member of room '{room}'", error.Message, StringComparison.Ordinal);
        await member.Events.Messages.NextAsync(m => m.Id == marker.Id);
        Assert.Empty(member.Events.RoomMessages.Drain());
        Assert.Empty(await member.Client.GetRoomHistoryAsync(new GetRoomHistoryRequest(room)));
    }

    [Fact]
    public async Task RoomHistoryIsOnlyForMembersAndLimitsAreChecked()
    {
        var room = Names.Room();
        await using var alice = await ConnectAsync(Names.User("alice"));

        var notMember = await Assert.ThrowsAsync<HubException>(() => alice.Client.GetRoomHistoryAsync(new GetRoomHistoryRequest(room)));
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));
        var zero = await Assert.ThrowsAsync<HubException>(() => alice.Client.GetRoomHistoryAsync(new GetRoomHistoryRequest(room, Limit: 0)));
        var tooBig = await Assert.ThrowsAsync<HubException>(() => alice.Client.GetRoomHistoryAsync(new GetRoomHistoryRequest(room, Limit: 101)));

        Assert.Contains("not a member", notMember.Message, StringComparison.Ordinal);
        Assert.Contains("between 1 and 100", zero.Message, StringComparison.Ordinal);
        Assert.Contains("between 1 and 100", tooBig.Message, StringComparison.Ordinal);
        await AssertStillUsableAsync(alice);
    }

    [Fact]
    public async Task DirectMessageToAUserWhoIsNotOnlineIsRejected()
    {
        await using var alice = await ConnectAsync(Names.User("alice"));
        var nobody = Names.User("nobody");

        var error = await Assert.ThrowsAsync<HubException>(() => alice.Client.SendDirectMessageAsync(new SendDirectMessageRequest(nobody, "hello?")));
        var noTarget = await Assert.ThrowsAsync<HubException>(() => alice.Client.SendDirectMessageAsync(new SendDirectMessageRequest("", "hello?")));

        // The typed client passes on the server's own words, without SignalR's "An unexpected error occurred invoking ...".
        Assert.Equal($"User '{nobody}' is not online.", error.Message);
        Assert.Equal("A user id is required.", noTarget.Message);
        await AssertStillUsableAsync(alice);
    }

    [Fact]
    public async Task DirectMessageToAUserWhoWentOfflineIsRejected()
    {
        await using var alice = await ConnectAsync(Names.User("alice"));
        var bob = await ConnectAsync(Names.User("bob"));
        await bob.DisposeAsync();
        await alice.Events.UserDisconnected.NextAsync(e => e.User.Id == bob.UserName);

        var error = await Assert.ThrowsAsync<HubException>(() => alice.Client.SendDirectMessageAsync(new SendDirectMessageRequest(bob.UserName, "gone?")));

        Assert.Contains("is not online", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnOverlongClientMessageIdIsRejected()
    {
        await using var alice = await ConnectAsync(Names.User("alice"));

        var error = await Assert.ThrowsAsync<HubException>(() => alice.Client.SendMessageAsync(new SendMessageRequest("hi", new string('c', 129))));

        Assert.Contains("clientMessageId must be 1-128 characters", error.Message, StringComparison.Ordinal);
        await AssertStillUsableAsync(alice);
    }

    [Fact]
    public async Task AFailedSendCanBeRetriedWithTheSameClientMessageId()
    {
        await using var alice = await ConnectAsync(Names.User("alice"));
        await using var bob = await ConnectAsync(Names.User("bob"));
        var clientMessageId = Guid.NewGuid().ToString();

        var error = await Assert.ThrowsAsync<HubException>(() => alice.Client.SendDirectMessageAsync(new SendDirectMessageRequest("nobody-here", "x", clientMessageId)));
        Assert.Contains("is not online", error.Message, StringComparison.Ordinal);
        var ack = await alice.Client.SendDirectMessageAsync(new SendDirectMessageRequest(bob.UserName, "x", clientMessageId));

        Assert.Equal(ack.Id, (await bob.Events.DirectMessages.NextAsync()).Id);
    }

    [Fact]
    public async Task AHubMessageOverTheSizeLimitClosesOnlyThatConnection()
    {
        await using var alice = await ConnectAsync(Names.User("alice"));
        await using var bob = await ConnectAsync(Names.User("bob"));

        // 40,000 characters is over the 32 KiB frame limit in both protocols.
        _ = alice.Client.SendMessageAsync(new SendMessageRequest(new string('z', 40_000)));
        var closeError = await alice.Closed.WaitAsync(Timeouts.Default);

        Assert.NotNull(closeError);
        Assert.Contains("closed with an error", closeError.Message, StringComparison.Ordinal);
        await AssertStillUsableAsync(bob);
    }

    private static async Task AssertStillUsableAsync(ChatSession session)
    {
        var ack = await session.Client.SendMessageAsync(new SendMessageRequest("still here"));
        Assert.Equal("still here", (await session.Events.Messages.NextAsync(m => m.Id == ack.Id)).Text);
    }
}
