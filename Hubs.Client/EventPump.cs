using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Hubs.Client;

/// <summary>
/// Runs user callbacks one at a time, in the order they were posted, off the connection's receive loop.
/// </summary>
/// <remarks>
/// One queue for hub events and connection-state events gives users a single order to reason about
/// (missed messages before live ones, Disconnected before Reconnecting) and lets their handlers await
/// calls on the same client without blocking message delivery.
/// </remarks>
internal sealed class EventPump : IAsyncDisposable
{
    private readonly Channel<Func<Task>> _work = Channel.CreateUnbounded<Func<Task>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ILogger _logger;
    private readonly Task _loop;

    public EventPump(ILogger logger)
    {
        _logger = logger;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>Queues <paramref name="work"/>; never blocks. Work posted after disposal is dropped.</summary>
    public void Post(Func<Task> work) => _work.Writer.TryWrite(work);

    public void Post(Action work) => Post(() =>
    {
        work();
        return Task.CompletedTask;
    });

    /// <summary>Runs what is queued, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        _work.Writer.TryComplete();
        await _loop;
    }

    private async Task RunAsync()
    {
        await foreach (var work in _work.Reader.ReadAllAsync())
        {
            try
            {
                await work();
            }
            catch (Exception ex)
            {
                // A faulty handler must not stop the delivery of later events.
                ClientLog.HandlerFailed(_logger, ex);
            }
        }
    }
}
