using Hubs.Contracts;
using Hubs.Server.Chat;
using Hubs.Server.Presence;
using Microsoft.AspNetCore.SignalR;

namespace Hubs.Server.Scaleout;

/// <summary>
/// Presence in Redis that lets an instance keep serving while Redis is unreachable: a connection opened meanwhile
/// is served locally and registered (and announced with UserConnected) by <see cref="InstanceJanitor"/> once Redis
/// is back; "is this user online?" is answered from this instance's own connections when it can be.
/// </summary>
/// <remarks>
/// Refusing the connection instead would close it with "no reconnect" (a failed OnConnectedAsync), so the typed
/// client would give up for good over an outage that lasts seconds.
/// </remarks>
internal sealed class OutageTolerantPresenceStore(
    RedisPresenceStore inner,
    HubLifetimeManager<ChatHub> lifetimeManager,
    ILogger<OutageTolerantPresenceStore> logger) : IPresenceStore
{
    private readonly ClusterHubLifetimeManager<ChatHub> _local = (ClusterHubLifetimeManager<ChatHub>)lifetimeManager;

    /// <returns><c>false</c> while Redis is unreachable: whether it is the user's first connection is decided when it is registered.</returns>
    public async Task<bool> AddConnectionAsync(UserInfo user, string connectionId, CancellationToken cancellationToken)
    {
        try
        {
            return await inner.AddConnectionAsync(user, connectionId, cancellationToken);
        }
        catch (Exception e) when (RedisFailures.IsUnavailable(e))
        {
            ScaleoutLog.RegistrationDeferred(logger, connectionId, e);
            return false;
        }
    }

    public Task<bool> RemoveConnectionAsync(string userId, string connectionId, CancellationToken cancellationToken) =>
        inner.RemoveConnectionAsync(userId, connectionId, cancellationToken);

    /// <remarks>While Redis is unreachable: <c>true</c> for a user connected here, otherwise the Redis failure (not a guess).</remarks>
    public async Task<bool> IsOnlineAsync(string userId, CancellationToken cancellationToken)
    {
        try
        {
            return await inner.IsOnlineAsync(userId, cancellationToken);
        }
        catch (Exception e) when (RedisFailures.IsUnavailable(e) && _local.HasLocalConnection(userId))
        {
            return true;
        }
    }

    public Task<IReadOnlyList<OnlineUser>> GetOnlineUsersAsync(CancellationToken cancellationToken) =>
        inner.GetOnlineUsersAsync(cancellationToken);
}
