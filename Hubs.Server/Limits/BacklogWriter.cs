using System.IO.Pipelines;

namespace Hubs.Server.Limits;

/// <summary>
/// The hub's view of a guarded connection's output. Each message (the bytes between two flushes) goes to one
/// place, chosen when it starts: the transport while the client keeps up, the backlog while earlier bytes
/// still wait, nowhere once the guard has dropped the connection.
/// </summary>
/// <remarks>SignalR serializes writes to a connection, so this writer is never used by two threads at once.</remarks>
internal sealed class BacklogWriter(SlowConsumerGuard guard) : PipeWriter
{
    private PipeWriter? _discard;
    private PipeWriter? _current;
    private long _unflushed;
    private int _completed;

    public override bool CanGetUnflushedBytes => true;

    public override long UnflushedBytes => _unflushed;

    public override Memory<byte> GetMemory(int sizeHint = 0) => Current().GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => Current().GetSpan(sizeHint);

    public override void Advance(int bytes)
    {
        Current().Advance(bytes);
        _unflushed += bytes;
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        var target = _current ?? Choose();
        var bytes = _unflushed;
        _current = null;
        _unflushed = 0;
        if (target == _discard)
        {
            return target.FlushAsync(cancellationToken);
        }
        return target == guard.TransportOutput ? guard.FlushThrough() : guard.FlushToBacklog(bytes);
    }

    public override void CancelPendingFlush() => guard.TransportOutput.CancelPendingFlush();

    public override void Complete(Exception? exception = null)
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            guard.WriterCompleted(exception);
            _discard?.Complete();
        }
    }

    public override ValueTask CompleteAsync(Exception? exception = null)
    {
        Complete(exception);
        return default;
    }

    private PipeWriter Current() => _current ??= Choose();

    // After Complete nothing may reach the transport: the guard is completing it (e.g. a late ack from a timer).
    private PipeWriter Choose() =>
        guard.Discards || Volatile.Read(ref _completed) == 1 ? _discard ??= Create(Stream.Null) : guard.ChooseTarget();
}
