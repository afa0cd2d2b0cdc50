using Hubs.Client;

namespace Hubs.Tests.Infrastructure;

/// <summary>A connected test user: the typed client plus everything it has received.</summary>
public sealed class ChatSession : IAsyncDisposable
{
    private readonly TaskCompletionSource<Exception?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ChatSession(string userName, ChatClient client)
    {
        UserName = userName;
        Client = client;
        client.Subscribe(Events);
        client.Closed += error =>
        {
            _closed.TrySetResult(error);
            return Task.CompletedTask;
        };
    }

    public string UserName { get; }

    public ChatClient Client { get; }

    public ChatEvents Events { get; } = new();

    /// <summary>Completes with the close error (or null) when the connection closes.</summary>
    public Task<Exception?> Closed => _closed.Task;

    public ValueTask DisposeAsync() => Client.DisposeAsync();
}
