namespace Hubs.Server.State;

/// <summary>Unique, increasing message ids, safe to hand to JavaScript (below 2^53).</summary>
public interface IMessageIdGenerator
{
    ValueTask<long> NextIdAsync(CancellationToken cancellationToken);
}
