using System.Globalization;

namespace Hubs.Client.Cli;

/// <summary>The command line, parsed.</summary>
internal sealed record CliOptions
{
    public const string Usage = """
        Usage:
          hubs-chat --user NAME [--server URL] [--protocol json|messagepack] [--room ROOM]
              Interactive chat. Commands: /join ROOM, /leave [ROOM], /rooms, /who [ROOM], /dm USER TEXT, /help, /quit.
              Other lines go to the current room, or to everyone when not in a room.
          hubs-chat --user NAME --send TEXT [--room ROOM | --to USER] [--server URL]
              Sends one message, prints its id, exits.
          hubs-chat --user NAME --read N [--room ROOM] [--timeout SECONDS] [--server URL]
              Prints the next N messages (of ROOM, or global and direct ones) as "[room] sender: text", exits.
        Exit codes: 0 ok, 1 usage, 2 cannot log in or connect, 3 refused by the server, 4 timed out, 5 connection lost.
        """;

    public Uri Server { get; init; } = new("http://localhost:5000");

    public string User { get; init; } = "";

    public HubProtocolKind Protocol { get; init; } = HubProtocolKind.Json;

    public string? Room { get; init; }

    public string? To { get; init; }

    public string? Send { get; init; }

    public int? Read { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    private static readonly HashSet<string> Known =
        ["--server", "--user", "--protocol", "--room", "--to", "--send", "--read", "--timeout"];

    /// <summary>Parsed options, or the reason they are unusable.</summary>
    public static (CliOptions? Options, string? Error) Parse(IReadOnlyList<string> args)
    {
        var options = new CliOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (!Known.Contains(name))
            {
                return (null, $"Unknown option: {name}");
            }
            if (i + 1 >= args.Count)
            {
                return (null, $"{name} needs a value.");
            }
            var value = args[++i];
            switch (name)
            {
                case "--server" when Uri.TryCreate(value, UriKind.Absolute, out var server):
                    options = options with { Server = server };
                    break;
                case "--user":
                    options = options with { User = value };
                    break;
                case "--protocol" when Enum.TryParse<HubProtocolKind>(value, ignoreCase: true, out var protocol):
                    options = options with { Protocol = protocol };
                    break;
                case "--room":
                    options = options with { Room = value };
                    break;
                case "--to":
                    options = options with { To = value };
                    break;
                case "--send":
                    options = options with { Send = value };
                    break;
                case "--read" when int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0:
                    options = options with { Read = count };
                    break;
                case "--timeout" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0:
                    options = options with { Timeout = TimeSpan.FromSeconds(seconds) };
                    break;
                default:
                    return (null, $"Bad value for {name}: {value}");
            }
        }
        if (string.IsNullOrWhiteSpace(options.User))
        {
            return (null, "--user is required.");
        }
        if (options.Send is not null && options.Read is not null)
        {
            return (null, "--send and --read cannot be combined.");
        }
        if (options.Room is not null && options.To is not null)
        {
            return (null, "--room and --to cannot be combined.");
        }
        return (options, null);
    }
}
