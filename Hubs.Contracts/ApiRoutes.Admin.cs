namespace Hubs.Contracts;

public static partial class ApiRoutes
{
    /// <summary>GET (admin): online users and their connection counts, as <see cref="UserConnections"/>.</summary>
    public const string AdminUsers = "/api/admin/users";

    /// <summary>POST (admin) a <see cref="DisconnectUserRequest"/>: closes every connection of the user, get a <see cref="DisconnectUserResult"/>.</summary>
    public const string AdminUserDisconnect = "/api/admin/users/{userId}/disconnect";

    /// <summary>GET (admin): rooms with members, as <see cref="RoomOccupancy"/>.</summary>
    public const string AdminRooms = "/api/admin/rooms";

    /// <summary>GET (admin): a room's members, as <see cref="RoomMembers"/>.</summary>
    public const string AdminRoomMembers = "/api/admin/rooms/{room}/members";

    /// <summary>DELETE (admin): removes a user from a room; the room and the user get <see cref="IChatClient.UserLeft"/>.</summary>
    public const string AdminRoomMember = "/api/admin/rooms/{room}/members/{userId}";

    /// <summary>GET (admin): one <see cref="ServerStats"/> sample.</summary>
    public const string AdminStats = "/api/admin/stats";

    /// <summary><see cref="AdminUserDisconnect"/> for one user.</summary>
    public static string AdminUserDisconnectOf(string userId) => Fill(AdminUserDisconnect, ("{userId}", userId));

    /// <summary><see cref="AdminRoomMembers"/> for one room.</summary>
    public static string AdminRoomMembersOf(string room) => Fill(AdminRoomMembers, ("{room}", room));

    /// <summary><see cref="AdminRoomMember"/> for one room and user.</summary>
    public static string AdminRoomMemberOf(string room, string userId) =>
        Fill(AdminRoomMember, ("{room}", room), ("{userId}", userId));
}
