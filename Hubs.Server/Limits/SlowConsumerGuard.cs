using System.Buffers;
using System.IO.Pipelines;
using Hubs.Server.Auth;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;

namespace Hubs.Server.Limits;

/// <summary>
/// Sits between one hub connection and its transport. SignalR awaits every member's write when it sends to a
/// group, so a client that stops reading would hold up the whole send (and the sender's ack) as soon as its
/// transport pipe is full. Here the hub's writes land in a backlog that never pushes back, a pump hands the
/// backlog to the transport at the client's pace, and a backlog over the limit closes the connection.
/// </summary>
internal sealed class SlowConsumerGuard
{
    // No pause threshold: the hub's flushes never wait; the limit below bounds the backlog instead.
    private static readonly PipeOptions s_backlogOptions = new(pauseWriterThreshold: 0, resumeWriterThreshold: 0, useSynchronizationContext: false);

    private readonly ConnectionContext _connection;
    private readonly PipeWriter _transportOutput;
    private readonly Pipe _backlog = new(s_backlogOptions);
    private readonly long _limit;
    private readonly SlowConsumerMonitor _monitor;
    private readonly ILogger _logger;
    private long _buffered;
    private int _dropped;
    private int _pumpExited;
    private Exception? _completionError;
    private Task _pump = Task.CompletedTask;

    public SlowConsumerGuard(ConnectionContext connection, long limit, SlowConsumerMonitor monitor, ILogger logger)
    {
        _connection = connection;
        _transportOutput = connection.Transport.Output;
        _limit = limit;
        _monitor = monitor;
        _logger = logger;
        Writer = new BacklogWriter(this, _backlog.Writer);
    }

    /// <summary>What the hub writes to instead of the transport.</summary>
    public BacklogWriter Writer { get; }

    /// <summary>Bytes the hub wrote that the transport has not taken yet.</summary>
    public long BufferedBytes => Interlocked.Read(ref _buffered);

    public bool IsDropped => Volatile.Read(ref _dropped) == 1;

    /// <summary>Puts the backlog in front of the connection's transport and starts forwarding.</summary>
    public void Attach()
    {
        _connection.Transport = new GuardedTransport(_connection.Transport.Input, Writer);
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>
    /// After the hub is done with the connection: lets the last bytes (e.g. the close message) leave, but not
    /// for longer than <paramref name="drainTimeout"/>, so a client that stopped reading cannot keep it open.
    /// </summary>
    public async Task CloseAsync(TimeSpan drainTimeout)
    {
        await Writer.CompleteAsync();
        try
        {
            await _pump.WaitAsync(drainTimeout);
        }
        catch (TimeoutException)
        {
            SlowConsumerLog.DrainTimedOut(_logger, _connection.ConnectionId, BufferedBytes);
            _transportOutput.CancelPendingFlush();
            _connection.Abort(new ConnectionAbortedException("The client did not read the last messages."));
        }
    }

    /// <summary>Called by the writer after each flush with the bytes it just queued.</summary>
    internal void Queued(long bytes)
    {
        // Once the pump has stopped (the client went away) the backlog discards writes: nothing is waiting.
        if (Volatile.Read(ref _pumpExited) == 1)
        {
            return;
        }
        var buffered = Interlocked.Add(ref _buffered, bytes);
        if (buffered > _limit)
        {
            Drop(buffered);
        }
    }

    internal void WriterCompleted(Exception? error) => _completionError = error;

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

    private async Task PumpAsync()
    {
        var reader = _backlog.Reader;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync();
                var buffer = result.Buffer;
                var length = buffer.Length;
                // The hub flushes whole messages, so everything readable is whole messages: one transport write.
                foreach (var segment in buffer)
                {
                    _transportOutput.Write(segment.Span);
                }
                reader.AdvanceTo(buffer.End);
                var flush = length > 0 ? await _transportOutput.FlushAsync() : default;
                Interlocked.Add(ref _buffered, -length);
                if (result.IsCompleted || flush.IsCompleted || flush.IsCanceled || IsDropped)
                {
                    break;
                }
            }
            if (!IsDropped)
            {
                await _transportOutput.CompleteAsync(_completionError);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or OperationCanceledException)
        {
            SlowConsumerLog.ForwardingFailed(_logger, _connection.ConnectionId, e);
        }
        finally
        {
            Volatile.Write(ref _pumpExited, 1);
            await reader.CompleteAsync();
        }
    }

    private sealed class GuardedTransport(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
