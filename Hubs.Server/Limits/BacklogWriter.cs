using System.IO.Pipelines;

namespace Hubs.Server.Limits;

/// <summary>
/// The hub's view of a guarded connection's output: writes go to the guard's backlog and are counted on each
/// flush; once the guard has dropped the connection, further writes are discarded instead of piling up.
/// </summary>
/// <remarks>SignalR serializes writes to a connection, so this writer is never used by two threads at once.</remarks>
internal sealed class BacklogWriter : PipeWriter
{
    private readonly SlowConsumerGuard _guard;
    private readonly PipeWriter _backlog;
    private PipeWriter? _discard;
    private PipeWriter _current;
    private long _unflushed;
    private int _completed;

    public BacklogWriter(SlowConsumerGuard guard, PipeWriter backlog)
    {
        _guard = guard;
        _backlog = backlog;
        _current = backlog;
    }

    public override bool CanGetUnflushedBytes => true;

    public override long UnflushedBytes => _unflushed;

    public override Memory<byte> GetMemory(int sizeHint = 0) => Choose().GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => Choose().GetSpan(sizeHint);

    public override void Advance(int bytes)
    {
        _current.Advance(bytes);
        if (_current == _backlog)
        {
            _unflushed += bytes;
        }
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_current != _backlog)
        {
            return Discard.FlushAsync(cancellationToken);
        }
        var queued = _unflushed;
        _unflushed = 0;
        // Counted before the bytes become readable, so the pump never subtracts what was not yet added.
        _guard.Queued(queued);
        return _backlog.FlushAsync(cancellationToken);
    }

    public override void CancelPendingFlush() => _backlog.CancelPendingFlush();

    public override void Complete(Exception? exception = null)
    {
        if (Interlocked.Exchange(ref _completed, 1) == 0)
        {
            _guard.WriterCompleted(exception);
            _backlog.Complete();
            _discard?.Complete();
        }
    }

    public override ValueTask CompleteAsync(Exception? exception = null)
    {
        Complete(exception);
        return default;
    }

    /// <summary>Created only for a dropped connection, so an idle one carries nothing extra.</summary>
    private PipeWriter Discard => _discard ??= Create(Stream.Null);

    /// <summary>Switches to discarding only between flushes, so a GetMemory/Advance pair stays on one writer.</summary>
    private PipeWriter Choose()
    {
        if (_unflushed == 0)
        {
            _current = _guard.IsDropped ? Discard : _backlog;
        }
        return _current;
    }
}
