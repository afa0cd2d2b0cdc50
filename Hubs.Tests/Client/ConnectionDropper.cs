using System.Collections.Concurrent;
using Microsoft.AspNetCore.SignalR;

namespace Hubs.Tests.Client;

/// <summary>
/// A server-side hook for tests: drops a user's connections the way a crashed proxy or a network cut would
/// look to the server (the connection is aborted, the client gets a new connection id when it comes back),
/// optionally right after a hub method ran but before its answer reached the client.
/// </summary>
public sealed class ConnectionDropper : IHubFilter
{
    private readonly ConcurrentDictionary<string, HubCallerContext> _connections = new();
    private readonly ConcurrentDictionary<(string User, string Method), TaskCompletionSource<object?>> _dropAfter = new();

    /// <summary>Aborts every open connection of <paramref name="userId"/>; returns how many there were.</summary>
    public int Drop(string userId)
    {
        var dropped = 0;
        foreach (var context in _connections.Values.Where(context => context.UserIdentifier == userId))
        {
            context.Abort();
            dropped++;
        }
        return dropped;
    }

    /// <summary>
    /// The next call of <paramref name="method"/> by <paramref name="userId"/> runs to completion on the server
    /// (its message is delivered), then the connection is aborted so its answer is lost. The task completes with
    /// the answer the client never got.
    /// </summary>
    public Task<object?> DropAfterNextCall(string userId, string method)
    {
        var dropped = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_dropAfter.TryAdd((userId, method), dropped))
        {
            throw new InvalidOperationException($"A drop after {method} is already armed for {userId}.");
        }
        return dropped.Task;
    }

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        _connections[context.Context.ConnectionId] = context.Context;
        await next(context);
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        _connections.TryRemove(context.Context.ConnectionId, out _);
        await next(context, exception);
    }

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var user = invocationContext.Context.UserIdentifier ?? "";
        if (!_dropAfter.TryRemove((user, invocationContext.HubMethodName), out var dropped))
        {
            return await next(invocationContext);
        }
        var result = await next(invocationContext);
        // Aborting cancels the pending write of the completion: the client sees its connection die, not the answer.
        invocationContext.Context.Abort();
        dropped.TrySetResult(result);
        return result;
    }
}
