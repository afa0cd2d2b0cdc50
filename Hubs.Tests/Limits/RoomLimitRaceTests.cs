using Hubs.Contracts;
using Hubs.Tests.Infrastructure;

namespace Hubs.Tests.Limits;

/// <summary>
/// With <c>Limits:MaxParallelInvocationsPerClient</c> above 1 a connection's joins and leaves run at the same time;
/// the per-connection room count must still match the rooms it is in.
/// </summary>
public sealed class RoomLimitRaceTests
{
    private const int RoomLimit = 2;

    /// <summary>Time for an overtaking leave to finish before the held join goes on (it takes milliseconds).</summary>
    private static readonly TimeSpan LeaveHeadStart = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task ALeaveThatOvertakesAJoinOfTheSameRoomDoesNotLetTheConnectionExceedItsRoomLimit()
    {
        await using var app = new HeldRoomCallsApplication<JoinRoomRequest>(request => request.Room, new Dictionary<string, string?>
        {
            ["Limits:MaxParallelInvocationsPerClient"] = "4",
            ["Limits:MaxRoomsPerConnection"] = RoomLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        await using var session = await app.ConnectChatAsync(Names.User());
        var (first, second, third) = (HeldRooms.New(), Names.Room(), Names.Room());

        // The join has passed the limit check and waits inside the pipeline; the leave of the same room comes meanwhile.
        // Unguarded, the leave finishes first (the connection is not in the room yet) and takes the room off the
        // count the join has just added it to. Guarded, it waits for the join: the bounded wait runs out, and the
        // leave then takes the connection out of the room.
        var join = session.Client.JoinRoomAsync(new JoinRoomRequest(first));
        await app.Held.Entered.NextAsync(room => room == first);
        var leave = session.Client.LeaveRoomAsync(new LeaveRoomRequest(first));
        await Task.WhenAny(leave, Task.Delay(LeaveHeadStart));
        app.Held.Release(first);
        await join.WaitAsync(Timeouts.Default);
        await leave.WaitAsync(Timeouts.Default);

        await session.Client.JoinRoomAsync(new JoinRoomRequest(second)).WaitAsync(Timeouts.Default);
        var refused = await Record.ExceptionAsync(() => session.Client.JoinRoomAsync(new JoinRoomRequest(third)).WaitAsync(Timeouts.Default));

        var roomsIn = 0;
        foreach (var room in new[] { first, second, third })
        {
            var members = await session.Client.GetRoomMembersAsync(new GetRoomMembersRequest(room)).WaitAsync(Timeouts.Default);
            roomsIn += members.Any(member => member.Id == session.UserName) ? 1 : 0;
        }
        Assert.True(roomsIn <= RoomLimit, $"The connection is in {roomsIn} rooms; the limit is {RoomLimit} (third join refused: {refused?.Message ?? "no"}).");
    }
}
