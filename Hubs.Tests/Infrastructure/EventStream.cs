using System.Threading.Channels;

namespace Hubs.Tests.Infrastructure;

/// <summary>Events of one kind in arrival order; every wait is bounded by a timeout.</summary>
public sealed class EventStream<T>
{
    private readonly Channel<T> _channel = Channel.CreateUnbounded<T>();

    public Task Add(T item)
    {
        _channel.Writer.TryWrite(item);
        return Task.CompletedTask;
    }

    /// <summary>The next event, or a TimeoutException naming what was awaited.</summary>
    public async Task<T> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Timeouts.Default);
        try
        {
            return await _channel.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No {typeof(T).Name} arrived within {timeout ?? Timeouts.Default}.");
        }
    }

    /// <summary>The next event that matches, skipping others (e.g. from users of other tests).</summary>
    public async Task<T> NextAsync(Func<T, bool> match, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Timeouts.Default);
        try
        {
            while (true)
            {
                var item = await _channel.Reader.ReadAsync(cts.Token);
                if (match(item))
                {
                    return item;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No matching {typeof(T).Name} arrived within {timeout ?? Timeouts.Default}.");
        }
    }

    /// <summary>Reads events up to and including the first that matches <paramref name="last"/>.</summary>
    public async Task<IReadOnlyList<T>> ReadThroughAsync(Func<T, bool> last, TimeSpan? timeout = null)
    {
        var items = new List<T>();
        using var cts = new CancellationTokenSource(timeout ?? Timeouts.Default);
        try
        {
            while (true)
            {
                var item = await _channel.Reader.ReadAsync(cts.Token);
                items.Add(item);
                if (last(item))
                {
                    return items;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The awaited {typeof(T).Name} did not arrive within {timeout ?? Timeouts.Default}; got {items.Count} others.");
        }
    }

    /// <summary>Events already received and not yet read.</summary>
    public IReadOnlyList<T> Drain()
    {
        var items = new List<T>();
        while (_channel.Reader.TryRead(out var item))
        {
            items.Add(item);
        }
        return items;
    }
}
