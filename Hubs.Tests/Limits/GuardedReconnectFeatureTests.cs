using System.IO.Pipelines;
using Hubs.Server.Limits;
using Microsoft.AspNetCore.Connections.Abstractions;

#pragma warning disable CA2252 // IStatefulReconnectFeature is a preview interface; the code under test wraps it.

namespace Hubs.Tests.Limits;

/// <summary>After a stateful reconnect, SignalR writes to what the guard hands it, and that reaches the new transport.</summary>
public sealed class GuardedReconnectFeatureTests
{
    [Fact]
    public async Task SignalRIsHandedTheGuardedWriterOfTheNewTransportAndDisablingPassesThrough()
    {
        var inner = new RecordingReconnectFeature();
        var newTransport = new Pipe();
        var guarded = new Pipe();
        PipeWriter? guardedFor = null;
        var feature = new GuardedReconnectFeature(inner, transportOutput =>
        {
            guardedFor = transportOutput;
            return guarded.Writer;
        });
        PipeWriter? handedToSignalR = null;
        feature.OnReconnected(writer =>
        {
            handedToSignalR = writer;
            return Task.CompletedTask;
        });

        await inner.ReconnectAsync(newTransport.Writer);
        feature.DisableReconnect();

        Assert.Same(newTransport.Writer, guardedFor);
        Assert.Same(guarded.Writer, handedToSignalR);
        Assert.True(inner.Disabled);
    }

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
}
