using Hubs.Client;
using Hubs.Contracts;

namespace Hubs.Tests.Client;

/// <summary>Exactly-once, in-order delivery of room messages when live delivery and re-join history overlap.</summary>
public sealed class RoomTrackerTests
{
    private static readonly UserInfo Bob = new("bob", "bob");

    private readonly List<long> _delivered = [];

    private RoomTracker NewTracker() => new(message => _delivered.Add(message.Id));

    private static ChatMessage Message(long id, string room = "r") => new(id, room, Bob, $"m{id}", DateTime.UnixEpoch);

    [Fact]
    public void MissedAndHeldBackMessagesAreMergedInIdOrderWithoutRepeats()
    {
        var rooms = NewTracker();
        rooms.BeginJoin("r");
        rooms.CompleteJoin("r", [Message(1), Message(2)]);
        rooms.OnLive(Message(4));

        Assert.Equal([("r", 4L)], rooms.BeginRecovery());
        // Live messages of the new connection arrive before the re-join answers, some of them also in its history.
        rooms.OnLive(Message(7));
        rooms.OnLive(Message(6));
        rooms.OnLive(Message(8));
        Assert.Equal([4], _delivered);
        var recovered = rooms.CompleteRecovery("r", [Message(5), Message(6), Message(7)]);

        Assert.Equal([4, 5, 6, 7, 8], _delivered);
        Assert.Equal(3, recovered);
        rooms.OnLive(Message(8));
        rooms.OnLive(Message(9));
        Assert.Equal([4, 5, 6, 7, 8, 9], _delivered);
    }

    [Fact]
    public void LiveMessagesDuringAJoinFollowItsHistoryAndSkipWhatItHeld()
    {
        var rooms = NewTracker();
        rooms.BeginJoin("r");
        rooms.OnLive(Message(3));
        rooms.OnLive(Message(4));

        rooms.CompleteJoin("r", [Message(2), Message(3)]);

        // 2 and 3 went to the caller in JoinRoomResult.History; 4 is new.
        Assert.Equal([4], _delivered);
    }

    [Fact]
    public void ARoomNeverSeenIsRejoinedFromTheStartAndOtherRoomsAreUntouched()
    {
        var rooms = NewTracker();
        rooms.BeginJoin("empty");
        rooms.CompleteJoin("empty", []);
        rooms.OnLive(Message(10, "elsewhere"));

        Assert.Equal([("empty", 0L)], rooms.BeginRecovery());
        Assert.Equal([10], _delivered);
    }

    [Fact]
    public void AFailedJoinHandsOverWhatWasHeldAndForgetsTheRoom()
    {
        var rooms = NewTracker();
        rooms.BeginJoin("r");
        rooms.OnLive(Message(2));
        rooms.OnLive(Message(1));

        rooms.AbortJoin("r");

        Assert.Equal([1, 2], _delivered);
        Assert.Empty(rooms.Rooms);
        Assert.Empty(rooms.BeginRecovery());
    }
}
