namespace Hubs.Server.Chat;

/// <summary>
/// Runs the changes to one user's presence and room membership on this instance one at a time, each together with
/// the events that announce it.
/// </summary>
/// <remarks>
/// The stores decide atomically that a user came online or entered a room, but the event saying so is sent after
/// that decision. Without this gate a tab that closes while another opens could have its <c>UserDisconnected</c>
/// overtaken by the new tab's <c>UserConnected</c> (others then see the user offline for good), and the same for
/// <c>UserLeft</c> and <c>UserJoined</c>. One gate per user, held only while the user is changing, so different
/// users never wait on each other.
/// <para>
/// Per instance: with Redis, changes of one user's connections on two instances (and the janitor's re-assertion and
/// outage events) are not ordered against each other. The event is sent inside the turn, so a send that waits (Redis
/// slow, or a stuck reader with <c>SlowConsumers:Enabled=false</c>) holds up that user's next change too; other users
/// are not affected.
/// </para>
/// </remarks>
public sealed class UserChangeGate
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>Waits for the user's turn; dispose the result to end it.</summary>
    public async Task<IDisposable> EnterAsync(string userId, CancellationToken cancellationToken)
    {
        Entry entry;
        lock (_gate)
        {
            if (!_entries.TryGetValue(userId, out entry!))
            {
                entry = new Entry();
                _entries[userId] = entry;
            }
            entry.Holders++;
        }
        try
        {
            await entry.Turn.WaitAsync(cancellationToken);
        }
        catch
        {
            Forget(userId, entry);
            throw;
        }
        return new Turn(this, userId, entry);
    }

    private void Exit(string userId, Entry entry)
    {
        entry.Turn.Release();
        Forget(userId, entry);
    }

    // The entry goes when nobody holds or awaits it, so the map does not grow with every user ever seen.
    private void Forget(string userId, Entry entry)
    {
        lock (_gate)
        {
            if (--entry.Holders == 0)
            {
                _entries.Remove(userId);
            }
        }
    }

    private sealed class Entry
    {
        public SemaphoreSlim Turn { get; } = new(1, 1);

        /// <summary>Callers holding or awaiting the turn; guarded by the gate's lock.</summary>
        public int Holders { get; set; }
    }

    private sealed class Turn(UserChangeGate gate, string userId, Entry entry) : IDisposable
    {
        private int _ended;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                gate.Exit(userId, entry);
            }
        }
    }
}
