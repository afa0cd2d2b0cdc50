using Hubs.Contracts;
using Microsoft.AspNetCore.SignalR;

namespace Hubs.Client.Cli;

/// <summary>Reads lines: commands start with '/', anything else is said in the current room (or to everyone).</summary>
internal sealed class InteractiveSession(ChatClient client, TextWriter output, TextWriter error)
{
    private string? _currentRoom;

    public async Task<int> RunAsync(string? firstRoom, TextReader input, CancellationToken cancellationToken)
    {
        if (firstRoom is not null)
        {
            await JoinAsync(firstRoom, cancellationToken);
        }
        await output.WriteLineAsync("Type /help for commands.");
        while (await input.ReadLineAsync(cancellationToken) is { } line)
        {
            line = line.Trim();
            if (line.Length == 0)
            {
                continue;
            }
            if (line is "/quit" or "/exit")
            {
                break;
            }
            try
            {
                await HandleAsync(line, cancellationToken);
            }
            catch (HubException ex)
            {
                // The server said no; the connection is fine and the session goes on.
                await error.WriteLineAsync($"error: {ex.Message}");
            }
        }
        return ExitCodes.Ok;
    }

    private async Task HandleAsync(string line, CancellationToken cancellationToken)
    {
        if (!line.StartsWith('/'))
        {
            await SayAsync(line, cancellationToken);
            return;
        }
        var parts = line.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var argument = parts.Length > 1 ? parts[1] : null;
        switch (parts[0])
        {
            case "/join" when argument is not null:
                await JoinAsync(argument, cancellationToken);
                break;
            case "/leave" when (argument ?? _currentRoom) is { } room:
                await client.LeaveRoomAsync(new LeaveRoomRequest(room), cancellationToken);
                _currentRoom = client.Rooms is [var first, ..] ? first : null;
                await output.WriteLineAsync($"-- left {room}; now in {_currentRoom ?? "no room (lines go to everyone)"}");
                break;
            case "/rooms":
                var rooms = client.Rooms;
                await output.WriteLineAsync(rooms.Count == 0
                    ? "-- in no room"
                    : "-- rooms: " + string.Join(", ", rooms.Select(name => name == _currentRoom ? name + " (current)" : name)));
                break;
            case "/who" when (argument ?? _currentRoom) is { } room:
                var members = await client.GetRoomMembersAsync(new GetRoomMembersRequest(room), cancellationToken);
                await output.WriteLineAsync($"-- in {room}: {string.Join(", ", members.Select(member => member.Name))}");
                break;
            case "/dm" when parts.Length == 3:
                await client.SendDirectMessageAsync(new SendDirectMessageRequest(parts[1], parts[2]), cancellationToken);
                break;
            case "/help":
                await output.WriteLineAsync("/join ROOM, /leave [ROOM], /rooms, /who [ROOM], /dm USER TEXT, /quit; other lines are sent.");
                break;
            default:
                await error.WriteLineAsync($"error: unknown or incomplete command '{line}'. Type /help.");
                break;
        }
    }

    private async Task JoinAsync(string room, CancellationToken cancellationToken)
    {
        var joined = await client.JoinRoomAsync(new JoinRoomRequest(room), cancellationToken);
        _currentRoom = joined.Room;
        await output.WriteLineAsync($"-- joined {joined.Room} ({string.Join(", ", joined.Members.Select(member => member.Name))})");
        foreach (var message in joined.History)
        {
            await output.WriteLineAsync(ChatPrinter.Format(message));
        }
    }

    private Task SayAsync(string text, CancellationToken cancellationToken) => _currentRoom is { } room
        ? client.SendRoomMessageAsync(new SendRoomMessageRequest(room, text), cancellationToken)
        : client.SendMessageAsync(new SendMessageRequest(text), cancellationToken);
}
