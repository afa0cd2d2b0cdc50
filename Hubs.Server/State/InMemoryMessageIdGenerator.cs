namespace Hubs.Server.State;

/// <summary>Ids for a single instance.</summary>
/// <remarks>
/// Starts at the start-up time in microseconds (about 1.8e15, well below 2^53), so ids keep increasing
/// across restarts and a client that rejoins with the last id it saw does not miss new messages.
/// </remarks>
internal sealed class InMemoryMessageIdGenerator(TimeProvider timeProvider) : IMessageIdGenerator
{
    private long _last = timeProvider.GetUtcNow().ToUnixTimeMilliseconds() * 1000;

    public long Next() => Interlocked.Increment(ref _last);

    public ValueTask<long> NextIdAsync(CancellationToken cancellationToken) => ValueTask.FromResult(Next());
}
