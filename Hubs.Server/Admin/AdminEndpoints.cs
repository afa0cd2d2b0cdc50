using Hubs.Contracts;
using Hubs.Server.Api;
using Hubs.Server.Chat;
using Hubs.Server.Presence;
using Hubs.Server.Rooms;
using Hubs.Server.Stats;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Hubs.Server.Admin;

/// <summary>The admin REST API; the admin role is required once, by <see cref="AdminExtensions.MapAdmin"/>.</summary>
internal static class AdminEndpoints
{
    public const string DefaultDisconnectReason = "An administrator closed your connection.";
    public const int MaxReasonLength = 200;

    public static async Task<Ok<IReadOnlyList<UserConnections>>> ListUsers(IPresenceStore presence, CancellationToken cancellationToken)
    {
        var users = await presence.GetOnlineUsersAsync(cancellationToken);
        return TypedResults.Ok<IReadOnlyList<UserConnections>>([.. users.Select(u => new UserConnections(u.User, u.Connections))]);
    }

    public static async Task<Ok<IReadOnlyList<RoomOccupancy>>> ListRooms(IRoomMembershipStore rooms, CancellationToken cancellationToken)
    {
        var list = await rooms.GetRoomsAsync(cancellationToken);
        return TypedResults.Ok<IReadOnlyList<RoomOccupancy>>([.. list.Select(r => new RoomOccupancy(r.Room, r.Members))]);
    }

    public static async Task<Results<Ok<RoomMembers>, ValidationProblem>> GetRoomMembers(
        string room, ChatInput input, IRoomMembershipStore rooms, CancellationToken cancellationToken)
    {
        var errors = new RequestErrors();
        var validRoom = errors.Check("room", () => input.Room(room));
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        return TypedResults.Ok(new RoomMembers(validRoom!, await rooms.GetMembersAsync(validRoom!, cancellationToken)));
    }

    public static async Task<Results<Ok<DisconnectUserResult>, ProblemHttpResult, ValidationProblem>> DisconnectUser(
        string userId, DisconnectUserRequest? request, IConnectionTerminator terminator, CancellationToken cancellationToken)
    {
        var reason = request?.Reason?.Trim();
        if (reason is { Length: > MaxReasonLength })
        {
            var errors = new RequestErrors();
            errors.Add("reason", $"reason is {reason.Length} characters; the limit is {MaxReasonLength}.");
            return errors.ToProblem();
        }
        var closed = await terminator.DisconnectUserAsync(userId, string.IsNullOrEmpty(reason) ? DefaultDisconnectReason : reason, cancellationToken);
        if (closed == 0)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "User not connected",
                detail: $"User '{userId}' has no open connections.");
        }
        return TypedResults.Ok(new DisconnectUserResult(userId, closed));
    }

    public static async Task<Results<NoContent, ProblemHttpResult, ValidationProblem>> RemoveRoomMember(
        string room, string userId, ChatInput input, RoomModerator moderator, CancellationToken cancellationToken)
    {
        var errors = new RequestErrors();
        var validRoom = errors.Check("room", () => input.Room(room));
        if (errors.Any)
        {
            return errors.ToProblem();
        }
        if (!await moderator.RemoveAsync(validRoom!, userId, cancellationToken))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not a member",
                detail: $"User '{userId}' is not in room '{validRoom}'.");
        }
        return TypedResults.NoContent();
    }

    public static async Task<Ok<ServerStats>> GetStats(ServerStatsFeed stats, CancellationToken cancellationToken) =>
        TypedResults.Ok(await stats.SampleAsync(cancellationToken));
}
