using System.IO.Pipelines;
using System.Runtime.Versioning;
using Microsoft.AspNetCore.Connections.Abstractions;

namespace Hubs.Server.Limits;

/// <summary>
/// The connection's stateful-reconnect feature as SignalR's hub connection sees it: when the client comes back on a
/// new transport, SignalR is handed a guarded writer for it instead of the transport's own, so a client that stops
/// reading after a reconnect is bounded like any other.
/// </summary>
/// <remarks>
/// <see cref="IStatefulReconnectFeature"/> is marked preview; SignalR's own stateful reconnect is built on it, and
/// this wraps the instance SignalR would have used, so a change to it breaks the build here rather than the guard.
/// </remarks>
[RequiresPreviewFeatures]
internal sealed class GuardedReconnectFeature(IStatefulReconnectFeature inner, Func<PipeWriter, SlowConsumerGuard> guardNewTransport) : IStatefulReconnectFeature
{
    public void OnReconnected(Func<PipeWriter, Task> notifyOnReconnect) =>
        inner.OnReconnected(async transportOutput =>
        {
            var guard = guardNewTransport(transportOutput);
            try
            {
                // SignalR first resends everything unacknowledged, at once; the limit applies to what comes after.
                await notifyOnReconnect(guard.Writer);
            }
            finally
            {
                guard.Arm();
            }
        });

    public void DisableReconnect() => inner.DisableReconnect();
}
