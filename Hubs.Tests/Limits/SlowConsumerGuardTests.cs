using System.Buffers;
using System.Diagnostics.Metrics;
using System.IO.Pipelines;
using System.Text;
using Hubs.Server.Limits;
using Hubs.Tests.Infrastructure;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hubs.Tests.Limits;

/// <summary>The guard over real pipes: a transport that pushes back after a few bytes stands in for a client that reads slowly.</summary>
public sealed class SlowConsumerGuardTests : IAsyncDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly Pipe _toClient = new(new PipeOptions(pauseWriterThreshold: 64, resumeWriterThreshold: 32, useSynchronizationContext: false));
    private readonly DefaultConnectionContext _connection;
    private readonly SlowConsumerMonitor _monitor;

    public SlowConsumerGuardTests()
    {
        _connection = new DefaultConnectionContext("connection-1", new Duplex(new Pipe().Reader, _toClient.Writer), new Duplex(_toClient.Reader, new Pipe().Writer));
        _monitor = new SlowConsumerMonitor(_services.GetRequiredService<IMeterFactory>());
    }

    [Fact]
    public async Task AClientThatKeepsUpGetsEachMessageAtOnceAndNothingWaitsInTheBacklog()
    {
        var guard = Attach(limit: 1024);

        for (var i = 0; i < 20; i++)
        {
            Assert.True(Write(guard, $"m{i:D2};"));
            Assert.Equal($"m{i:D2};", await ReadAsync(4));
            Assert.Equal(0, guard.BufferedBytes);
        }
    }

    [Fact]
    public async Task AClientThatFallsBehindAndCatchesUpGetsEveryMessageInOrderWhileTheHubNeverWaits()
    {
        var guard = Attach(limit: 64 * 1024);
        // The transport pauses after 64 bytes: most of these land in the backlog, and no flush may wait.
        var expected = WriteMessages(guard, 200, i => $"message-{i:D3};");
        Assert.True(guard.BufferedBytes > 0);

        Assert.Equal(expected, await ReadAsync(expected.Length));
        await Eventually.HoldsAsync(() => Task.FromResult(guard.BufferedBytes == 0), "the backlog drained");
        // Caught up: the next message goes straight through again, after everything before it.
        Assert.True(Write(guard, "after;"));
        Assert.Equal("after;", await ReadAsync(6));
    }

    [Fact]
    public async Task AClientThatStopsReadingIsDroppedOnceItsBacklogPassesTheLimit()
    {
        var guard = Attach(limit: 512);
        var dropped = new TaskCompletionSource<SlowConsumerDrop>(TaskCreationOptions.RunContinuationsAsynchronously);
        _monitor.Dropped += drop => dropped.TrySetResult(drop);

        for (var i = 0; i < 100 && !guard.IsDropped; i++)
        {
            Assert.True(Write(guard, $"message-{i:D3};"));
        }

        var drop = await dropped.Task.WaitAsync(Timeouts.Default);
        Assert.Equal("connection-1", drop.ConnectionId);
        Assert.True(drop.BufferedBytes > 512);
        await WaitForAbortAsync();
        // Nothing waits for a dropped client any more, and later writes are discarded, not queued.
        Assert.Equal(0, guard.BufferedBytes);
        var counted = guard.CountedBytes;
        Assert.True(Write(guard, "ignored;"));
        Assert.Equal(counted, guard.CountedBytes);
    }

    [Fact]
    public async Task BytesHandedToTheTransportCountAgainstTheLimitUntilTheTransportTakesThem()
    {
        var guard = Attach(limit: 64 * 1024);
        // 20-byte messages: the fourth fills the transport's pipe past its pause threshold (64), the rest wait here.
        WriteMessages(guard, 10, TwentyBytes);
        Assert.Equal(120, guard.BufferedBytes);

        // The client reads what went straight through; the drain then hands the backlog to the transport at once.
        Assert.Equal(80, (await ReadAsync(80)).Length);
        var handed = await NextReadAsync();
        while (handed.Buffer.Length < 120)
        {
            _toClient.Reader.AdvanceTo(handed.Buffer.Start, handed.Buffer.End);
            handed = await NextReadAsync();
        }

        // In the transport's pipe but not taken by the client: still counted.
        Assert.Equal(120, guard.BufferedBytes);
        _toClient.Reader.AdvanceTo(handed.Buffer.End);
        await Eventually.HoldsAsync(() => Task.FromResult(guard.BufferedBytes == 0), "the transport took the backlog");
    }

    [Fact]
    public async Task ARetiredGuardCompletesItsTransportAndSendsNothingMore()
    {
        var guard = Attach(limit: 64 * 1024);
        WriteMessages(guard, 10, TwentyBytes);

        guard.Retire();

        var rest = await NextReadAsync();
        while (!rest.IsCompleted)
        {
            _toClient.Reader.AdvanceTo(rest.Buffer.End);
            rest = await NextReadAsync();
        }
        Assert.True(rest.IsCompleted);
        Assert.Equal(0, guard.BufferedBytes);
    }

    [Fact]
    public async Task ClosingSendsWhatIsQueuedThenCompletesTheTransport()
    {
        var guard = Attach(limit: 64 * 1024);
        var expected = WriteMessages(guard, 50, i => $"last-{i:D2};");

        var close = guard.CloseAsync(Timeouts.Default);
        Assert.Equal(expected, await ReadAsync(expected.Length));
        await close.WaitAsync(Timeouts.Default);
        var rest = await NextReadAsync();
        Assert.True(rest.IsCompleted);
        Assert.True(rest.Buffer.IsEmpty);
    }

    public async ValueTask DisposeAsync() => await _services.DisposeAsync();

    private SlowConsumerGuard Attach(long limit)
    {
        var guard = new SlowConsumerGuard(_connection, _connection.Transport.Output, limit, _monitor, NullLogger.Instance);
        guard.Attach();
        Assert.Same(guard.Writer, _connection.Transport.Output);
        return guard;
    }

    /// <summary>One message as SignalR writes it, bytes then one flush; true when that flush did not wait.</summary>
    private static bool Write(SlowConsumerGuard guard, string message)
    {
        guard.Writer.Write(Encoding.ASCII.GetBytes(message));
        var flush = guard.Writer.FlushAsync();
        if (!flush.IsCompleted)
        {
            _ = flush.AsTask();
            return false;
        }
        _ = flush.Result;
        return true;
    }

    private static string TwentyBytes(int i) => $"message-number-{i:D5}";

    /// <summary>Writes <paramref name="count"/> messages, none of whose flushes may wait; returns them as the client should read them.</summary>
    private static string WriteMessages(SlowConsumerGuard guard, int count, Func<int, string> message)
    {
        var written = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            written.Append(message(i));
            Assert.True(Write(guard, message(i)), $"flush {i} waited for the client");
        }
        return written.ToString();
    }

    private Task<ReadResult> NextReadAsync() => _toClient.Reader.ReadAsync().AsTask().WaitAsync(Timeouts.Default);

    private async Task<string> ReadAsync(int length)
    {
        var text = new StringBuilder();
        while (text.Length < length)
        {
            var result = await NextReadAsync();
            var take = result.Buffer.Slice(0, Math.Min(result.Buffer.Length, length - text.Length));
            text.Append(Encoding.ASCII.GetString(take.ToArray()));
            _toClient.Reader.AdvanceTo(take.End);
        }
        return text.ToString();
    }

    private async Task WaitForAbortAsync()
    {
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var registration = _connection.ConnectionClosed.Register(() => aborted.TrySetResult());
        await aborted.Task.WaitAsync(Timeouts.Default);
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
