using System.Globalization;
using Hubs.Client;
using Hubs.Contracts;

namespace Hubs.Bench;

/// <summary>
/// One bench connection. Bench messages carry "run|timestamp" as text, so each receiver measures latency on the
/// same monotonic clock as the sender and ignores stragglers from an earlier run.
/// </summary>
internal sealed class BenchUser(string name, ChatClient client, Func<RunRecorder?> currentRun) : IChatClient, IAsyncDisposable
{
    private readonly HashSet<long> _seen = [];
    private int _seenRun = -1;

    public string Name { get; } = name;

    public ChatClient Client { get; } = client;

    public static string Text(int run, long timestamp) => string.Create(CultureInfo.InvariantCulture, $"{run}|{timestamp}");

    public Task ReceiveMessage(ChatMessage message) => Record(message);

    public Task ReceiveRoomMessage(ChatMessage message) => Record(message);

    public Task Welcome(WelcomeMessage message) => Task.CompletedTask;

    public Task UserConnected(UserEvent userEvent) => Task.CompletedTask;

    public Task UserDisconnected(UserEvent userEvent) => Task.CompletedTask;

    public Task ReceiveDirectMessage(ChatMessage message) => Task.CompletedTask;

    public Task UserJoined(RoomEvent roomEvent) => Task.CompletedTask;

    public Task UserLeft(RoomEvent roomEvent) => Task.CompletedTask;

    public ValueTask DisposeAsync() => Client.DisposeAsync();

    private Task Record(ChatMessage message)
    {
        var recorder = currentRun();
        var separator = message.Text.IndexOf('|', StringComparison.Ordinal);
        if (recorder is null || separator < 0
            || !int.TryParse(message.Text.AsSpan(0, separator), CultureInfo.InvariantCulture, out var run) || run != recorder.Run)
        {
            return Task.CompletedTask;
        }
        var sent = long.Parse(message.Text.AsSpan(separator + 1), CultureInfo.InvariantCulture);
        // The client calls one connection's handlers one at a time, but a new run may reset this set meanwhile.
        lock (_seen)
        {
            if (_seenRun != run)
            {
                _seen.Clear();
                _seenRun = run;
            }
            if (!_seen.Add(message.Id))
            {
                recorder.Duplicate();
                return Task.CompletedTask;
            }
        }
        recorder.Delivered(sent);
        return Task.CompletedTask;
    }
}
