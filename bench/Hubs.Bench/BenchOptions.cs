using System.Globalization;
using Hubs.Client;

namespace Hubs.Bench;

/// <summary>Command line of the bench; every value has a default that matches the issue's workload.</summary>
internal sealed record BenchOptions
{
    public int Runs { get; init; } = 5;

    public TimeSpan RunDuration { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(3);

    public IReadOnlyList<string> Scenarios { get; init; } = ScenarioNames.Default;

    /// <summary>room-fanout: rooms x members connections, one sender per room.</summary>
    public int Rooms { get; init; } = 10;

    public int MembersPerRoom { get; init; } = 50;

    /// <summary>Messages per second from each room's sender.</summary>
    public double Rate { get; init; } = 10;

    /// <summary>ack-rtt: clients, each alone in its own room, each sending at <see cref="AckRate"/> and awaiting every ack.</summary>
    public int AckClients { get; init; } = 200;

    public double AckRate { get; init; } = 10;

    /// <summary>broadcast: receivers of the one sender's global messages.</summary>
    public int BroadcastClients { get; init; } = 1000;

    public double BroadcastRate { get; init; } = 5;

    /// <summary>connect: idle connections held open, and how long they settle before RSS is read.</summary>
    public int Connections { get; init; } = 5000;

    /// <remarks>
    /// Longer than a minute by default: each client's negotiate request leaves a pooled keep-alive HTTP connection
    /// that its HttpClient closes after a minute idle; until then the server holds two connections per client.
    /// </remarks>
    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(75);

    /// <summary>cross-instance: measured runs (the issue's p99 target is for 10 consecutive runs).</summary>
    public int CrossRuns { get; init; } = 10;

    /// <summary>broadcast and connect: connections that share one user (the bench raises the server's per-user limit to match).</summary>
    public int ConnectionsPerUser { get; init; } = 50;

    /// <summary>cross-instance: also one instance with Redis (issue 4's middle setup).</summary>
    public bool Redis1 { get; init; }

    /// <summary>Also run the plain SignalR reference and print the ratios.</summary>
    public bool Plain { get; init; } = true;

    public HubProtocolKind Protocol { get; init; } = HubProtocolKind.Json;

    /// <summary>Hubs.Server.dll to start; by default the build output beside this bench's configuration.</summary>
    public string? ServerDll { get; init; }

    /// <summary>PlainHub.dll to start; by default the build output beside this bench's configuration.</summary>
    public string? PlainDll { get; init; }

    /// <summary>Extra environment for the Hubs.Server processes only (A/B experiments: a setting on one side).</summary>
    public IReadOnlyDictionary<string, string> HubsEnvironment { get; init; } = new Dictionary<string, string>();

    /// <summary>Where the JSON results go; by default bench/results/&lt;UTC time&gt;.json.</summary>
    public string? JsonPath { get; init; }

    public const string Usage = """
        Hubs.Bench: RealtimeHubs against a plain SignalR hub (bench/PlainHub), real server processes (and redis-server).
          --scenarios LIST         ack-rtt,room-fanout,broadcast,connect,cross-instance (default all; fanout = room-fanout)
          --runs N                 measured runs per scenario and server (default 5)
          --duration S             seconds of sending per run (default 10)
          --warmup S               seconds of sending before the measured runs, reported apart (default 3)
          --rooms N                room-fanout rooms (default 10)
          --members N              room-fanout members per room (default 50)
          --rate R                 room-fanout msg/s per room sender (default 10)
          --ack-clients N          ack-rtt clients, each in its own room (default 200)
          --ack-rate R             ack-rtt msg/s per client, each awaiting its ack (default 10)
          --broadcast-clients N    broadcast receivers (default 1000)
          --broadcast-rate R       broadcast msg/s from the one sender (default 5)
          --connections N          connect: idle connections (default 5000)
          --settle S               connect: seconds the idle connections settle before RSS is read (default 75)
          --cross-runs N           cross-instance: measured runs (default 10)
          --connections-per-user N broadcast and connect: connections sharing one user (default 50; sets Limits:MaxConnectionsPerUser)
          --no-plain               skip the plain SignalR reference
          --redis1                 cross-instance: also one instance with Redis
          --protocol P             json or messagepack (default json)
          --server-dll PATH        Hubs.Server.dll to start
          --plain-dll PATH         PlainHub.dll to start
          --hubs-env KEY=VALUE     extra environment for Hubs.Server only, repeatable (A/B experiments)
          --json PATH              JSON results file (default bench/results/<UTC time>.json)
        """;

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] is "--no-plain" or "--redis1")
            {
                options = args[i] == "--redis1" ? options with { Redis1 = true } : options with { Plain = false };
                continue;
            }
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.\n{Usage}");
            options = args[i] switch
            {
                "--runs" => options with { Runs = PositiveInt(args[i], value) },
                "--duration" => options with { RunDuration = TimeSpan.FromSeconds(PositiveNumber(args[i], value)) },
                "--warmup" => options with { Warmup = TimeSpan.FromSeconds(double.Parse(value, CultureInfo.InvariantCulture)) },
                "--scenarios" => options with { Scenarios = ParseScenarios(args[i], value) },
                "--rooms" => options with { Rooms = PositiveInt(args[i], value) },
                "--members" => options with { MembersPerRoom = PositiveInt(args[i], value) },
                "--rate" => options with { Rate = PositiveNumber(args[i], value) },
                "--ack-clients" => options with { AckClients = PositiveInt(args[i], value) },
                "--ack-rate" => options with { AckRate = PositiveNumber(args[i], value) },
                "--broadcast-clients" => options with { BroadcastClients = PositiveInt(args[i], value) },
                "--broadcast-rate" => options with { BroadcastRate = PositiveNumber(args[i], value) },
                "--connections" => options with { Connections = PositiveInt(args[i], value) },
                "--settle" => options with { Settle = TimeSpan.FromSeconds(PositiveNumber(args[i], value)) },
                "--cross-runs" => options with { CrossRuns = PositiveInt(args[i], value) },
                "--connections-per-user" => options with { ConnectionsPerUser = PositiveInt(args[i], value) },
                "--protocol" => options with { Protocol = Enum.Parse<HubProtocolKind>(value, ignoreCase: true) },
                "--server-dll" => options with { ServerDll = value },
                "--plain-dll" => options with { PlainDll = value },
                "--json" => options with { JsonPath = value },
                "--hubs-env" => options with { HubsEnvironment = WithSetting(options.HubsEnvironment, args[i], value) },
                _ => throw new ArgumentException($"Unknown option {args[i]}.\n{Usage}"),
            };
            i++;
        }
        return options;
    }

    private static Dictionary<string, string> WithSetting(IReadOnlyDictionary<string, string> settings, string name, string value)
    {
        var split = value.IndexOf('=', StringComparison.Ordinal);
        return split > 0
            ? new Dictionary<string, string>(settings) { [value[..split]] = value[(split + 1)..] }
            : throw new ArgumentException($"{name} must be KEY=VALUE.");
    }

    private static int PositiveInt(string name, string value) =>
        int.TryParse(value, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{name} must be a positive integer.");

    private static double PositiveNumber(string name, string value) =>
        double.TryParse(value, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{name} must be a positive number.");

    private static string[] ParseScenarios(string name, string value)
    {
        var items = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(item => item == ScenarioNames.FanoutAlias ? ScenarioNames.RoomFanout : item).Distinct().ToArray();
        var unknown = items.Except(ScenarioNames.All).ToList();
        return unknown.Count == 0 && items.Length > 0
            ? items
            : throw new ArgumentException($"{name}: unknown {string.Join(", ", unknown)}; allowed: {string.Join(", ", ScenarioNames.All)}.");
    }
}

internal static class ScenarioNames
{
    public const string AckRtt = "ack-rtt";
    public const string RoomFanout = "room-fanout";
    public const string Broadcast = "broadcast";
    public const string Connect = "connect";
    public const string CrossInstance = "cross-instance";

    /// <summary>The earlier name of room-fanout, still accepted.</summary>
    public const string FanoutAlias = "fanout";

    public static readonly IReadOnlyList<string> All = [AckRtt, RoomFanout, Broadcast, Connect, CrossInstance];

    public static readonly IReadOnlyList<string> Default = All;
}

/// <summary>What runs a workload: which server, with or without Redis, how many instances.</summary>
internal sealed record ServerSetup(string Name, bool Plain, bool Redis, int Instances)
{
    public static readonly ServerSetup PlainSignalR = new("plain", Plain: true, Redis: false, Instances: 1);
    public static readonly ServerSetup InMemory = new("hubs", Plain: false, Redis: false, Instances: 1);
    public static readonly ServerSetup Redis1 = new("hubs-redis1", Plain: false, Redis: true, Instances: 1);
    public static readonly ServerSetup Redis2 = new("hubs-redis2", Plain: false, Redis: true, Instances: 2);
}
