using Hubs.Contracts;

namespace Hubs.Server.Presence;

/// <summary>Presence for a single instance.</summary>
internal sealed class InMemoryPresenceStore : IPresenceStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (UserInfo User, HashSet<string> Connections)> _users = new(StringComparer.Ordinal);

    public Task<bool> AddConnectionAsync(UserInfo user, string connectionId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_users.TryGetValue(user.Id, out var entry))
            {
                entry = (user, new HashSet<string>(StringComparer.Ordinal));
                _users[user.Id] = entry;
            }
            // A repeated add of the same connection is not the user coming online again.
            return Task.FromResult(entry.Connections.Add(connectionId) && entry.Connections.Count == 1);
        }
    }

    public Task<bool> RemoveConnectionAsync(string userId, string connectionId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_users.TryGetValue(userId, out var entry) || !entry.Connections.Remove(connectionId))
            {
                return Task.FromResult(false);
            }
            if (entry.Connections.Count > 0)
            {
                return Task.FromResult(false);
            }
            _users.Remove(userId);
            return Task.FromResult(true);
        }
    }

    public Task<bool> IsOnlineAsync(string userId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_users.ContainsKey(userId));
        }
    }

    public Task<IReadOnlyList<OnlineUser>> GetOnlineUsersAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<OnlineUser> users = [.. _users.Values
                .Select(entry => new OnlineUser(entry.User, entry.Connections.Count))
                .OrderBy(user => user.User.Id, StringComparer.Ordinal)];
            return Task.FromResult(users);
        }
    }
}
