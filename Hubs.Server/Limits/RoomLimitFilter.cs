using Hubs.Contracts;
using Hubs.Server.Rooms;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Hubs.Server.Limits;

/// <summary>
/// Refuses a join beyond <see cref="LimitsOptions.MaxRoomsPerConnection"/> rooms of one connection with a HubException;
/// the connection and its rooms are unaffected. Works on any hub method taking a <see cref="JoinRoomRequest"/>.
/// </summary>
internal sealed class RoomLimitFilter(IOptions<LimitsOptions> options, IRoomMembershipStore membership, ILogger<RoomLimitFilter> logger) : IHubFilter
{
    private static readonly object s_roomsKey = new();

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var request = invocationContext.HubMethodArguments is [var only] ? only : null;
        return request switch
        {
            JoinRoomRequest { Room: { } room } => await JoinAsync(invocationContext, room, next),
            LeaveRoomRequest { Room: { } room } => await LeaveAsync(invocationContext, room, next),
            _ => await next(invocationContext),
        };
    }

    private ValueTask<object?> JoinAsync(HubInvocationContext invocationContext, string room, Func<HubInvocationContext, ValueTask<object?>> next) =>
        InTurnAsync(invocationContext.Context, joined => JoinInTurnAsync(invocationContext, joined, room, next));

    private static ValueTask<object?> LeaveAsync(HubInvocationContext invocationContext, string room, Func<HubInvocationContext, ValueTask<object?>> next) =>
        InTurnAsync(invocationContext.Context, async joined =>
        {
            var result = await next(invocationContext);
            joined.Remove(room);
            return result;
        });

    /// <summary>
    /// Runs one join or leave of the connection at a time (they only overlap with Limits:MaxParallelInvocationsPerClient
    /// above 1): a leave overtaking a join of the same room would take the room off the count the join adds it to. The
    /// connection's set of rooms is only touched in a turn.
    /// </summary>
    private static async ValueTask<object?> InTurnAsync(HubCallerContext context, Func<HashSet<string>, ValueTask<object?>> change)
    {
        var rooms = RoomsOf(context);
        await rooms.Turn.WaitAsync(context.ConnectionAborted);
        try
        {
            return await change(rooms.Joined);
        }
        finally
        {
            rooms.Turn.Release();
        }
    }

    private async ValueTask<object?> JoinInTurnAsync(HubInvocationContext invocationContext, HashSet<string> joined, string room, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var context = invocationContext.Context;
        var limit = options.Value.MaxRoomsPerConnection;
        if (!TryReserve(joined, room, limit, out var reserved))
        {
            // An administrator may have removed this connection from rooms behind the filter's back: recount first.
            await ForgetRoomsLeftElsewhereAsync(joined, context);
            if (!TryReserve(joined, room, limit, out reserved))
            {
                LimitsLog.TooManyRooms(logger, context.ConnectionId, limit);
                throw new HubException($"Too many rooms: this connection is already in {limit} rooms, the limit. Leave one before joining another.");
            }
        }
        try
        {
            return await next(invocationContext);
        }
        catch
        {
            if (reserved)
            {
                joined.Remove(room);
            }
            throw;
        }
    }

    /// <summary>Counts the room as joined unless the connection is at the limit; a room already joined always passes.</summary>
    private static bool TryReserve(HashSet<string> joined, string room, int limit, out bool reserved)
    {
        reserved = false;
        if (joined.Contains(room))
        {
            return true;
        }
        if (joined.Count >= limit)
        {
            return false;
        }
        reserved = joined.Add(room);
        return true;
    }

    private async Task ForgetRoomsLeftElsewhereAsync(HashSet<string> joined, HubCallerContext context)
    {
        foreach (var room in joined.ToArray())
        {
            if (!await membership.IsMemberAsync(room, context.ConnectionId, context.ConnectionAborted))
            {
                joined.Remove(room);
            }
        }
    }

    private static ConnectionRooms RoomsOf(HubCallerContext context)
    {
        lock (context.Items)
        {
            if (context.Items[s_roomsKey] is not ConnectionRooms rooms)
            {
                rooms = new ConnectionRooms();
                context.Items[s_roomsKey] = rooms;
            }
            return rooms;
        }
    }

    /// <summary>The rooms a connection is counted in, and the turn its joins and leaves take.</summary>
    private sealed class ConnectionRooms
    {
        public HashSet<string> Joined { get; } = new(StringComparer.Ordinal);

        public SemaphoreSlim Turn { get; } = new(1, 1);
    }
}
