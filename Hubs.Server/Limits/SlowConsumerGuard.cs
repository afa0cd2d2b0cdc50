using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using Hubs.Server.Auth;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace Hubs.Server.Limits;

/// <summary>
/// Sits between one hub connection and its transport. SignalR awaits every member's write when it sends to a
/// group, so a client that stops reading would hold up the whole send (and the sender's ack) as soon as its
/// transport pipe is full. While the client keeps up, the hub writes straight to the transport (no extra
/// copy or thread hand-off); once a transport flush has to wait, the hub's writes go to a backlog that never
/// pushes back, a drain loop hands it to the transport at the client's pace, and a backlog over the limit
/// closes the connection.
/// </summary>
internal sealed class SlowConsumerGuard
{
    // No pause threshold: the hub's flushes never wait; the limit below bounds the backlog instead.
    private static readonly PipeOptions s_backlogOptions = new(pauseWriterThreshold: 0, resumeWriterThreshold: 0, useSynchronizationContext: false);

    private readonly ConnectionContext _connection;
    private readonly PipeWriter _transportOutput;
    private readonly long _limit;
    private readonly SlowConsumerMonitor _monitor;
    private readonly ILogger _logger;

    // Guards the switch between writing through and draining: the drain may stop only when nothing is queued.
    private readonly Lock _lock = new();

    // Created when the client first falls behind, so a connection that keeps up carries no second pipe.
    private Pipe? _backlog;
    private bool _draining;
    private Task _drain = Task.CompletedTask;
    private long _buffered;
    private int _dropped;
    private int _transportGone;
    private Exception? _completionError;

    /// <summary>Guards the writes to <paramref name="transportOutput"/>: the connection's own transport, or the new one after a stateful reconnect.</summary>
    public SlowConsumerGuard(ConnectionContext connection, PipeWriter transportOutput, long limit, SlowConsumerMonitor monitor, ILogger logger)
    {
        _connection = connection;
        _transportOutput = transportOutput;
        _limit = limit;
        _monitor = monitor;
        _logger = logger;
        Writer = new BacklogWriter(this);
    }

    /// <summary>What the hub writes to instead of the transport.</summary>
    public BacklogWriter Writer { get; }

    /// <summary>Bytes the hub wrote that wait in the backlog (the transport has not taken them yet); none once they can never be sent.</summary>
    public long BufferedBytes => Discards ? 0 : Interlocked.Read(ref _buffered);

    public bool IsDropped => Volatile.Read(ref _dropped) == 1;

    /// <summary>True once nothing written can reach the client any more: dropped, or its transport ended.</summary>
    internal bool Discards => IsDropped || Volatile.Read(ref _transportGone) == 1;

    internal PipeWriter TransportOutput => _transportOutput;

    /// <summary>Puts the guard in front of the connection's transport.</summary>
    public void Attach() => _connection.Transport = new GuardedTransport(_connection.Transport.Input, Writer);

    /// <summary>
    /// After the hub is done with the connection: lets the last bytes (e.g. the close message) leave, but not
    /// for longer than <paramref name="drainTimeout"/>, so a client that stopped reading cannot keep it open.
    /// </summary>
    public async Task CloseAsync(TimeSpan drainTimeout)
    {
        await Writer.CompleteAsync();
        try
        {
            await _drain.WaitAsync(drainTimeout);
        }
        catch (TimeoutException)
        {
            SlowConsumerLog.DrainTimedOut(_logger, _connection.ConnectionId, Interlocked.Read(ref _buffered));
            _transportOutput.CancelPendingFlush();
            _connection.Abort(new ConnectionAbortedException("The client did not read the last messages."));
            return;
        }
        if (!IsDropped)
        {
            await _transportOutput.CompleteAsync(_completionError);
        }
    }

    /// <summary>
    /// Where the hub's next message goes: straight to the transport unless earlier bytes still wait for the
    /// client, in which case behind them, in the backlog.
    /// </summary>
    internal PipeWriter ChooseTarget()
    {
        lock (_lock)
        {
            return _draining ? Backlog.Writer : _transportOutput;
        }
    }

    /// <summary>The hub flushed a message it wrote to the transport; a flush that would wait starts a drain instead.</summary>
    internal ValueTask<FlushResult> FlushThrough()
    {
        var flush = _transportOutput.FlushAsync();
        if (flush.IsCompleted)
        {
            var result = flush.Result;
            if (result.IsCompleted)
            {
                Volatile.Write(ref _transportGone, 1);
            }
            return new ValueTask<FlushResult>(result);
        }
        lock (_lock)
        {
            _draining = true;
        }
        // Only the hub's (serialized) flushes start drains, so the field needs no lock.
        _drain = DrainAsync(flush);
        return default;
    }

    /// <summary>The hub flushed <paramref name="bytes"/> it wrote to the backlog.</summary>
    internal ValueTask<FlushResult> FlushToBacklog(long bytes)
    {
        long buffered;
        bool restart;
        lock (_lock)
        {
            // Never waits: the backlog has no pause threshold, and nobody awaits its reader.
            var flush = Backlog.Writer.FlushAsync();
            Debug.Assert(flush.IsCompleted, "A backlog without a pause threshold never makes a flush wait.");
            _ = flush.Result;
            buffered = Interlocked.Add(ref _buffered, bytes);
            // The drain stopped between this message's start and its flush: the bytes need a new one.
            restart = !_draining;
            _draining = true;
        }
        if (restart)
        {
            _drain = DrainAsync(default);
        }
        if (buffered > _limit)
        {
            Drop(buffered);
        }
        return default;
    }

    internal void WriterCompleted(Exception? error)
    {
        _completionError = error;
        lock (_lock)
        {
            _backlog?.Writer.Complete();
        }
    }

    private Pipe Backlog => _backlog ??= new Pipe(s_backlogOptions);

    private void Drop(long buffered)
    {
        if (Interlocked.Exchange(ref _dropped, 1) == 1)
        {
            return;
        }
        var userId = _connection.Features.Get<IConnectionUserFeature>()?.User?.UserId();
        SlowConsumerLog.Dropped(_logger, _connection.ConnectionId, userId, buffered, _limit);
        _monitor.OnDropped(new SlowConsumerDrop(_connection.ConnectionId, userId, buffered, _limit));
        // A client that does not read would never see a close message, so the transport is cut. That ends
        // the hub connection (OnDisconnectedAsync runs, the rooms hear UserLeft) and frees the backlog.
        _transportOutput.CancelPendingFlush();
        _connection.Abort(new ConnectionAbortedException(
            $"The client did not read its messages: {buffered} bytes were waiting, the limit is {_limit}."));
    }

    /// <summary>Waits for the transport, hands it the backlog, and repeats until nothing is queued.</summary>
    private async Task DrainAsync(ValueTask<FlushResult> pending)
    {
        try
        {
            while (true)
            {
                var flushed = await pending;
                if (flushed.IsCompleted || flushed.IsCanceled || IsDropped)
                {
                    Volatile.Write(ref _transportGone, 1);
                    return;
                }
                ReadResult read;
                lock (_lock)
                {
                    // Under the lock: a flush to the backlog either lands before this check or sees the drain stopped.
                    if (_backlog is null || !_backlog.Reader.TryRead(out read))
                    {
                        _draining = false;
                        return;
                    }
                }
                var buffer = read.Buffer;
                var length = buffer.Length;
                // The hub flushes whole messages, so everything readable is whole messages: one transport write.
                foreach (var segment in buffer)
                {
                    _transportOutput.Write(segment.Span);
                }
                _backlog.Reader.AdvanceTo(buffer.End);
                Interlocked.Add(ref _buffered, -length);
                if (read.IsCompleted && length == 0)
                {
                    return;
                }
                pending = _transportOutput.FlushAsync();
            }
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or OperationCanceledException)
        {
            Volatile.Write(ref _transportGone, 1);
            SlowConsumerLog.ForwardingFailed(_logger, _connection.ConnectionId, e);
        }
    }

    private sealed class GuardedTransport(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
