using System.Globalization;
using System.Net;
using System.Text;
using Hubs.Client;
using Hubs.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Connections;

namespace Hubs.Tests.Cluster;

/// <summary>
/// The docker-compose topology without containers: a real redis-server, three real Hubs.Server processes with
/// <c>Redis:ConnectionString</c> set, and real nginx in front, configured from <c>deploy/nginx.conf</c>.
/// One fixture for the whole <see cref="ClusterCollection"/>: five process starts in all.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public const int InstanceCount = 3;

    /// <summary>How long a dead instance's connections linger before the others remove them.</summary>
    public static readonly TimeSpan PresenceExpiry = TimeSpan.FromSeconds(6);

    private const int MachinesPerInstance = 2;

    private readonly List<ClientMachine>[] _machines = [.. Enumerable.Range(0, InstanceCount).Select(_ => new List<ClientMachine>())];
    private ServerProcess[] _instances = [];

    public RedisServer Redis { get; private set; } = null!;

    /// <summary>The instances' <c>Redis:ChannelPrefix</c>.</summary>
    public string ChannelPrefix { get; } = $"cluster-tests-{Guid.NewGuid():N}"[..24];

    public IReadOnlyList<ServerProcess> Instances => _instances;

    public NginxProcess Nginx { get; private set; } = null!;

    /// <summary>Where clients connect: nginx.</summary>
    public Uri BaseAddress => Nginx.BaseAddress;

    public async Task InitializeAsync()
    {
        try
        {
            await StartEverythingAsync();
        }
        catch
        {
            // A half-started cluster must not leave processes behind.
            await DisposeAsync();
            throw;
        }
    }

    private async Task StartEverythingAsync()
    {
        Redis = await RedisServer.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Redis:ConnectionString"] = Redis.ConnectionString,
            ["Redis:ChannelPrefix"] = ChannelPrefix,
            // Short, so the kill -9 test sees ghosts expire quickly; long enough that a busy 2-core box never
            // misses a heartbeat (a third of this) and loses a live instance's connections.
            ["Redis:PresenceExpiry"] = PresenceExpiry.ToString("c", CultureInfo.InvariantCulture),
            // Heartbeats, sweeps and reconnects to Redis, for the failure messages of ExplainFailuresAsync.
            ["Logging:LogLevel:Hubs.Server.Scaleout"] = "Information",
        };
        var starts = Enumerable.Range(0, InstanceCount).Select(_ => ServerProcess.StartAsync(settings)).ToArray();
        try
        {
            _instances = await Task.WhenAll(starts);
        }
        catch
        {
            _instances = [.. starts.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result)];
            throw;
        }
        Nginx = await NginxProcess.StartAsync([.. _instances.Select(s => s.Port)]);
        await FindMachinesForEveryInstanceAsync();
    }

    /// <summary>A client machine whose address nginx sends to <paramref name="instance"/> while it is up.</summary>
    public ClientMachine MachineOn(int instance, int nth = 0) => _machines[instance][nth];

    /// <summary>A started chat client for <paramref name="userName"/>, connected through nginx to <paramref name="instance"/>.</summary>
    public Task<ChatSession> ConnectAsync(string userName, int instance, HttpTransportType transport = HttpTransportType.WebSockets,
        HubProtocolKind protocol = HubProtocolKind.Json) =>
        ConnectFromAsync(MachineOn(instance), userName, transport, protocol);

    /// <summary>A started chat client for <paramref name="userName"/> connected through nginx from <paramref name="machine"/>.</summary>
    public async Task<ChatSession> ConnectFromAsync(ClientMachine machine, string userName,
        HttpTransportType transport = HttpTransportType.WebSockets, HubProtocolKind protocol = HubProtocolKind.Json)
    {
        var token = await machine.GetTokenAsync(BaseAddress, userName);
        var session = new ChatSession(userName, new ChatClient(machine.HubOptions(BaseAddress, token, transport, protocol)));
        await session.Client.StartAsync().WaitAsync(Timeouts.Default);
        await session.Events.Welcome.NextAsync();
        return session;
    }

    /// <summary>Which instance nginx sends <paramref name="machine"/>'s requests to now (from nginx's access log).</summary>
    public async Task<int> InstanceServingAsync(ClientMachine machine)
    {
        var marker = $"probe={Guid.NewGuid():N}";
        using var http = machine.CreateHttpClient(BaseAddress);
        using (var response = await http.GetAsync(new Uri($"/health/live?{marker}", UriKind.Relative)))
        {
            response.EnsureSuccessStatusCode();
        }
        var port = await Nginx.UpstreamPortOfAsync(marker);
        return Array.FindIndex(_instances, s => s.Port == port);
    }

    /// <summary>Starts a killed or stopped instance again and waits until nginx sends its machines back to it.</summary>
    public async Task RestartAsync(int instance)
    {
        if (!_instances[instance].IsRunning)
        {
            await _instances[instance].StartAsync();
        }
        // nginx tries an instance that failed again after its fail_timeout (5 s in deploy/nginx.conf).
        await Eventually.HoldsAsync(async () => await InstanceServingAsync(MachineOn(instance)) == instance,
            $"nginx routes instance {instance}'s client machines to it again", TimeSpan.FromSeconds(30));
    }

    /// <summary>Runs a test body; a failure then carries what the processes logged, which goes away with the fixture.</summary>
    public async Task ExplainFailuresAsync(Func<Task> body)
    {
        try
        {
            await body();
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{e.GetType().Name}: {e.Message}\n{Diagnostics}", e);
        }
    }

    /// <summary>Everything the processes said, for failure messages.</summary>
    public string Diagnostics
    {
        get
        {
            var text = new StringBuilder();
            for (var i = 0; i < _instances.Length; i++)
            {
                text.AppendLine($"--- instance {i} (port {_instances[i].Port}, running: {_instances[i].IsRunning}):").AppendLine(_instances[i].Output);
            }
            text.AppendLine("--- redis:").AppendLine(Redis?.Output);
            text.AppendLine("--- ").AppendLine(Nginx?.Diagnostics);
            return text.ToString();
        }
    }

    public async Task DisposeAsync()
    {
        if (Nginx is not null)
        {
            await Nginx.DisposeAsync();
        }
        await Task.WhenAll(_instances.Select(s => s.DisposeAsync().AsTask()));
        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }
    }

    /// <summary>
    /// Probes source addresses 127.0.0.2, 127.0.0.3, ... until each instance has its own machines, so tests can
    /// place clients on chosen instances while still connecting through nginx.
    /// </summary>
    private async Task FindMachinesForEveryInstanceAsync()
    {
        for (var lastOctet = 2; lastOctet < 255 && _machines.Any(m => m.Count < MachinesPerInstance); lastOctet++)
        {
            var machine = new ClientMachine(new IPAddress([127, 0, 0, (byte)lastOctet]));
            var instance = await InstanceServingAsync(machine);
            if (_machines[instance].Count < MachinesPerInstance)
            {
                _machines[instance].Add(machine);
            }
        }
        if (_machines.Any(m => m.Count < MachinesPerInstance))
        {
            throw new InvalidOperationException("nginx did not spread 253 client addresses over all three instances.\n" + Diagnostics);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "Cluster";
}
