using System.Buffers;
using System.Diagnostics.Metrics;
using System.IO.Pipelines;
using Hubs.Server.Limits;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Abstractions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

#pragma warning disable CA2252 // IStatefulReconnectFeature is a preview interface; the code under test wraps it.

namespace Hubs.Tests.Limits;

/// <summary>After a stateful reconnect SignalR writes to a guard of the new transport, armed once its resend is written.</summary>
public sealed class GuardedReconnectFeatureTests : IAsyncDisposable
{
    private const long Limit = 256;

    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();

    [Fact]
    public async Task TheResendMayExceedTheLimitButWhatPilesUpAfterItIsBounded()
    {
        var monitor = new SlowConsumerMonitor(_services.GetRequiredService<IMeterFactory>());
        var connection = new DefaultConnectionContext("resumed", new Duplex(new Pipe().Reader, new Pipe().Writer), new Duplex(new Pipe().Reader, new Pipe().Writer));
        var inner = new RecordingReconnectFeature();
        var newTransport = new Pipe(new PipeOptions(pauseWriterThreshold: 64, resumeWriterThreshold: 32, useSynchronizationContext: false));
        SlowConsumerGuard? guard = null;
        var feature = new GuardedReconnectFeature(inner, transportOutput =>
            guard = new SlowConsumerGuard(connection, transportOutput, Limit, monitor, NullLogger.Instance, armed: false));
        PipeWriter? handedToSignalR = null;
        // Stands in for SignalR's MessageBuffer.ResendAsync: everything unacknowledged, written at once.
        feature.OnReconnected(async writer =>
        {
            handedToSignalR = writer;
            for (var i = 0; i < 4 * Limit / 16; i++)
            {
                writer.Write(new byte[16]);
                await writer.FlushAsync();
            }
        });

        await inner.ReconnectAsync(newTransport.Writer);

        Assert.NotNull(guard);
        Assert.Same(guard.Writer, handedToSignalR);
        Assert.False(guard.IsDropped);
        Assert.True(guard.BufferedBytes > Limit);
        // Armed now: the client still does not read, and the next message crosses the limit.
        guard.Writer.Write(new byte[16]);
        await guard.Writer.FlushAsync();
        Assert.True(guard.IsDropped);
        feature.DisableReconnect();
        Assert.True(inner.Disabled);
    }

    public async ValueTask DisposeAsync() => await _services.DisposeAsync();

    private sealed class RecordingReconnectFeature : IStatefulReconnectFeature
    {
        private readonly List<Func<PipeWriter, Task>> _callbacks = [];

        public bool Disabled { get; private set; }

        public void OnReconnected(Func<PipeWriter, Task> notifyOnReconnect) => _callbacks.Add(notifyOnReconnect);

        public void DisableReconnect() => Disabled = true;

        public async Task ReconnectAsync(PipeWriter writer)
        {
            foreach (var callback in _callbacks)
            {
                await callback(writer);
            }
        }
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
