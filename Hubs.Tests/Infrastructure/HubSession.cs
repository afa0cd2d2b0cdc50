namespace Hubs.Tests.Infrastructure;

/// <summary>What every connected test user has: a name, a typed client, and a signal for when it closes.</summary>
public abstract class HubSession<TClient>(string userName, TClient client) : IAsyncDisposable
    where TClient : IAsyncDisposable
{
    private readonly TaskCompletionSource<Exception?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string UserName { get; } = userName;

    public TClient Client { get; } = client;

    /// <summary>Completes with the close error (or null) when the connection first closes.</summary>
    public Task<Exception?> Closed => _closed.Task;

    public ValueTask DisposeAsync() => Client.DisposeAsync();

    /// <summary>Handler for the client's <c>Closed</c> event.</summary>
    protected Task OnClosed(Exception? error)
    {
        _closed.TrySetResult(error);
        return Task.CompletedTask;
    }
}
