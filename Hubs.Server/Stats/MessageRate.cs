namespace Hubs.Server.Stats;

/// <summary>Counts events per wall-clock second (by <see cref="TimeProvider"/>) and answers "how many in the last full second".</summary>
/// <remarks>Two buckets are enough: the second in progress and the one before it.</remarks>
internal sealed class MessageRate(TimeProvider time)
{
    private readonly Lock _gate = new();
    private long _currentSecond = long.MinValue;
    private long _currentCount;
    private long _previousCount;

    public void Record()
    {
        var second = time.GetUtcNow().ToUnixTimeSeconds();
        lock (_gate)
        {
            AdvanceLocked(second);
            _currentCount++;
        }
    }

    public long LastFullSecond()
    {
        var second = time.GetUtcNow().ToUnixTimeSeconds();
        lock (_gate)
        {
            AdvanceLocked(second);
            return _previousCount;
        }
    }

    private void AdvanceLocked(long second)
    {
        if (second == _currentSecond)
        {
            return;
        }
        // A gap of more than one second means the previous full second had nothing.
        _previousCount = second == _currentSecond + 1 ? _currentCount : 0;
        _currentSecond = second;
        _currentCount = 0;
    }
}
