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
    private bool _retired;
    private Task _drain = Task.CompletedTask;
    private long _buffered;
    private int _armed;
    private int _dropped;
    private int _transportGone;
    private Exception? _completionError;

    /// <summary>Guards the writes to <paramref name="transportOutput"/>: the connection's own transport, or the new one after a stateful reconnect.</summary>
    /// <remarks>A guard created unarmed (<paramref name="armed"/> false) enforces the limit only from <see cref="Arm"/> on.</remarks>
    public SlowConsumerGuard(ConnectionContext connection, PipeWriter transportOutput, long limit, SlowConsumerMonitor monitor, ILogger logger, bool armed = true)
    {
        _connection = connection;
        _transportOutput = transportOutput;
        _armed = armed ? 1 : 0;
        _limit = limit;
        _monitor = monitor;
        _logger = logger;
        Writer = new BacklogWriter(this);
    }

    /// <summary>What the hub writes to instead of the transport.</summary>
    public BacklogWriter Writer { get; }

    /// <summary>Bytes the hub wrote that wait in the backlog (the transport has not taken them yet); none once they can never be sent.</summary>
    public long BufferedBytes => Discards ? 0 : CountedBytes;

    public bool IsDropped => Volatile.Read(ref _dropped) == 1;

    /// <summary>Bytes counted as waiting, whether or not they can still be sent.</summary>
    internal long CountedBytes => Interlocked.Read(ref _buffered);

    /// <summary>True once nothing written can reach the client any more: dropped, or its transport ended.</summary>
    internal bool Discards => IsDropped || Volatile.Read(ref _transportGone) == 1;

    internal PipeWriter TransportOutput => _transportOutput;

    /// <summary>
    /// Starts enforcing the limit. A resumed connection first gets everything it had not acknowledged, written at
    /// once and legitimately more than the limit; only what piles up after that means the client is not reading.
    /// </summary>
    public void Arm() => Volatile.Write(ref _armed, 1);

    /// <summary>
    /// After a stateful reconnect the transport this guard wrote to is gone, and SignalR has moved to a new guard:
    /// what still waits here is dropped, not awaited, and the old transport's writer is completed.
    /// </summary>
    public void Retire()
    {
        Writer.Complete();
        lock (_lock)
        {
            _retired = true;
            if (_draining)
            {
                // The drain ends at its next flush and completes the transport itself (it may be writing to it now).
                _transportOutput.CancelPendingFlush();
                return;
            }
        }
        _transportOutput.Complete();
    }

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
        catch (Exception e) when (e is not TimeoutException)
        {
            // The drain logs what it expects; anything else must still not keep the transport open.
            SlowConsumerLog.ForwardingFailed(_logger, _connection.ConnectionId, e);
        }
        catch (TimeoutException)
        {
            SlowConsumerLog.DrainTimedOut(_logger, _connection.ConnectionId, CountedBytes);
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
        if (buffered > _limit && Volatile.Read(ref _armed) == 1)
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
        // the hub connection (OnDisconnectedAsync runs, the rooms hear UserLeft); the drain, its flush cancelled,
        // then releases the backlog.
        _transportOutput.CancelPendingFlush();
        _connection.Abort(new ConnectionAbortedException(
            $"The client did not read its messages: {buffered} bytes were waiting, the limit is {_limit}."));
    }

    /// <summary>Waits for the transport, hands it the backlog, and repeats until nothing is queued.</summary>
    private async Task DrainAsync(ValueTask<FlushResult> pending)
    {
        // Bytes handed to the transport stay counted until the flush that carried them completes, so the limit
        // bounds what waits in the backlog and in the transport's pipe together.
        long inFlight = 0;
        var terminal = true;
        try
        {
            while (true)
            {
                var flushed = await pending;
                Interlocked.Add(ref _buffered, -inFlight);
                inFlight = 0;
                if (flushed.IsCompleted || flushed.IsCanceled || IsDropped || Volatile.Read(ref _retired))
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
                        terminal = _retired;
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
                if (read.IsCompleted && length == 0)
                {
                    return;
                }
                inFlight = length;
                pending = _transportOutput.FlushAsync();
            }
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or OperationCanceledException)
        {
            Volatile.Write(ref _transportGone, 1);
            SlowConsumerLog.ForwardingFailed(_logger, _connection.ConnectionId, e);
        }
        finally
        {
            if (terminal)
            {
                // Nothing will read the backlog again: return its buffers now rather than with the connection.
                _backlog?.Reader.Complete();
                if (_retired)
                {
                    _transportOutput.Complete();
                }
            }
        }
    }

    private sealed class GuardedTransport(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
