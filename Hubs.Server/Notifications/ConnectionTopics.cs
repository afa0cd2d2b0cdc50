namespace Hubs.Server.Notifications;

/// <summary>The topics one connection follows, so Subscribe/Unsubscribe can answer "already" / "was not".</summary>
/// <remarks>SignalR groups cannot be asked who is in them; this per-connection set can.</remarks>
internal sealed class ConnectionTopics
{
    private readonly Lock _gate = new();
    private readonly HashSet<string> _topics = new(StringComparer.Ordinal);

    public TopicAddResult TryAdd(string topic, int limit)
    {
        lock (_gate)
        {
            if (_topics.Contains(topic))
            {
                return TopicAddResult.AlreadyFollowed;
            }
            if (_topics.Count >= limit)
            {
                return TopicAddResult.LimitReached;
            }
            _topics.Add(topic);
            return TopicAddResult.Added;
        }
    }

    public bool Remove(string topic)
    {
        lock (_gate)
        {
            return _topics.Remove(topic);
        }
    }
}

internal enum TopicAddResult
{
    Added,
    AlreadyFollowed,
    LimitReached,
}
