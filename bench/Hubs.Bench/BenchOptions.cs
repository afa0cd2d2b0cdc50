using System.Globalization;
using Hubs.Client;

namespace Hubs.Bench;

/// <summary>Command line of the bench; every value has a default that matches the issue's workload.</summary>
internal sealed record BenchOptions
{
    public int Runs { get; init; } = 5;

    public TimeSpan RunDuration { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(3);

    public int Rooms { get; init; } = 10;

    public int MembersPerRoom { get; init; } = 50;

    /// <summary>Messages per second from each room's sender, and from the one broadcast sender.</summary>
    public double Rate { get; init; } = 10;

    public IReadOnlyList<string> Setups { get; init; } = [SetupNames.InMemory, SetupNames.Redis1, SetupNames.Redis2];

    public IReadOnlyList<string> Scenarios { get; init; } = [ScenarioNames.Fanout, ScenarioNames.Broadcast];

    public HubProtocolKind Protocol { get; init; } = HubProtocolKind.Json;

    /// <summary>Hubs.Server.dll to start; by default the build output beside this bench's configuration.</summary>
    public string? ServerDll { get; init; }

    public int Clients => Rooms * MembersPerRoom;

    public const string Usage = """
        Hubs.Bench: room fan-out and broadcast against real Hubs.Server processes (and redis-server).
          --runs N            measured runs per scenario and setup (default 5)
          --duration S        seconds of sending per run (default 10)
          --warmup S          seconds of sending before the measured runs, reported apart (default 3)
          --rooms N           rooms (default 10)
          --members N         members per room; rooms x members clients in all, also the broadcast receivers (default 50)
          --rate R            messages/s per room sender and for the broadcast sender (default 10)
          --setups LIST       inmemory,redis1,redis2 (default all)
          --scenarios LIST    fanout,broadcast (default both)
          --protocol P        json or messagepack (default json)
          --server-dll PATH   Hubs.Server.dll to start
        """;

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.\n{Usage}");
            options = args[i] switch
            {
                "--runs" => options with { Runs = PositiveInt(args[i], value) },
                "--duration" => options with { RunDuration = TimeSpan.FromSeconds(PositiveNumber(args[i], value)) },
                "--warmup" => options with { Warmup = TimeSpan.FromSeconds(double.Parse(value, CultureInfo.InvariantCulture)) },
                "--rooms" => options with { Rooms = PositiveInt(args[i], value) },
                "--members" => options with { MembersPerRoom = PositiveInt(args[i], value) },
                "--rate" => options with { Rate = PositiveNumber(args[i], value) },
                "--setups" => options with { Setups = List(args[i], value, SetupNames.All) },
                "--scenarios" => options with { Scenarios = List(args[i], value, ScenarioNames.All) },
                "--protocol" => options with { Protocol = Enum.Parse<HubProtocolKind>(value, ignoreCase: true) },
                "--server-dll" => options with { ServerDll = value },
                _ => throw new ArgumentException($"Unknown option {args[i]}.\n{Usage}"),
            };
            i++;
        }
        return options;
    }

    private static int PositiveInt(string name, string value) =>
        int.TryParse(value, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{name} must be a positive integer.");

    private static double PositiveNumber(string name, string value) =>
        double.TryParse(value, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{name} must be a positive number.");

    private static string[] List(string name, string value, IReadOnlyList<string> allowed)
    {
        var items = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = items.Except(allowed).ToList();
        return unknown.Count == 0 && items.Length > 0
            ? items
            : throw new ArgumentException($"{name}: unknown {string.Join(", ", unknown)}; allowed: {string.Join(", ", allowed)}.");
    }
}

internal static class SetupNames
{
    public const string InMemory = "inmemory";
    public const string Redis1 = "redis1";
    public const string Redis2 = "redis2";

    public static readonly IReadOnlyList<string> All = [InMemory, Redis1, Redis2];
}

internal static class ScenarioNames
{
    public const string Fanout = "fanout";
    public const string Broadcast = "broadcast";

    public static readonly IReadOnlyList<string> All = [Fanout, Broadcast];
}
