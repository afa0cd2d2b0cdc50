using Hubs.Contracts;

namespace Hubs.Server.Presence;

/// <summary>Who is online, counted by connections so a second tab is not a new user.</summary>
/// <remarks>Implementations must be safe across instances: answers are about the whole cluster.</remarks>
public interface IPresenceStore
{
    /// <summary>Records a connection; <c>true</c> when it is the user's first (the user came online).</summary>
    Task<bool> AddConnectionAsync(UserInfo user, string connectionId, CancellationToken cancellationToken);

    /// <summary>Forgets a connection; <c>true</c> when it was the user's last (the user went offline).</summary>
    Task<bool> RemoveConnectionAsync(string userId, string connectionId, CancellationToken cancellationToken);

    Task<bool> IsOnlineAsync(string userId, CancellationToken cancellationToken);

    Task<IReadOnlyList<OnlineUser>> GetOnlineUsersAsync(CancellationToken cancellationToken);
}

/// <summary>An online user and how many connections they have open.</summary>
public sealed record OnlineUser(UserInfo User, int Connections);
