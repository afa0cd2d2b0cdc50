using Hubs.Contracts;

namespace Hubs.Client.Cli;

/// <summary>Prints the next N chat messages (of one room, or global and direct ones), then completes.</summary>
internal sealed class MessageReader(int count, string? room, TextWriter output) : IChatClient
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Done => _done.Task;

    public int Received { get; private set; }

    public Task ReceiveMessage(ChatMessage message) => room is null ? TakeAsync(message) : Task.CompletedTask;

    public Task ReceiveDirectMessage(ChatMessage message) => room is null ? TakeAsync(message) : Task.CompletedTask;

    public Task ReceiveRoomMessage(ChatMessage message) => message.Room == room ? TakeAsync(message) : Task.CompletedTask;

    public Task Welcome(WelcomeMessage message) => Task.CompletedTask;

    public Task UserConnected(UserEvent userEvent) => Task.CompletedTask;

    public Task UserDisconnected(UserEvent userEvent) => Task.CompletedTask;

    public Task UserJoined(RoomEvent roomEvent) => Task.CompletedTask;

    public Task UserLeft(RoomEvent roomEvent) => Task.CompletedTask;

    // Handlers run one at a time (the client's event queue), so the count needs no lock.
    private async Task TakeAsync(ChatMessage message)
    {
        if (Received >= count)
        {
            return;
        }
        await output.WriteLineAsync(ChatPrinter.Format(message));
        if (++Received == count)
        {
            await output.FlushAsync();
            _done.TrySetResult();
        }
    }
}
