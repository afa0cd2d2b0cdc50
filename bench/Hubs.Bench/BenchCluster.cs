using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Hubs.Bench;

/// <summary>
/// The servers of one setup: one or two Hubs.Server processes (or the plain SignalR reference), and redis-server
/// when the setup uses Redis.
/// </summary>
internal sealed class BenchCluster : IAsyncDisposable
{
    private readonly List<ChildProcess> _servers = [];

    private BenchCluster(ServerSetup setup) => Setup = setup;

    public ServerSetup Setup { get; }

    public ChildProcess? Redis { get; private set; }

    public IReadOnlyList<ChildProcess> Servers => _servers;

    public IReadOnlyList<Uri> ServerUrls { get; private set; } = [];

    /// <remarks><paramref name="settings"/> are configuration keys (as environment variables) for the servers.</remarks>
    public static async Task<BenchCluster> StartAsync(ServerSetup setup, string serverDll, IReadOnlyDictionary<string, string> settings)
    {
        var cluster = new BenchCluster(setup);
        try
        {
            string? redis = null;
            if (setup.Redis)
            {
                var port = ChildProcess.FreePort();
                // No persistence: the bench measures messaging, not disk.
                cluster.Redis = ChildProcess.Start("redis-server", new ProcessStartInfo("redis-server",
                    ["--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]));
                await WaitForRedisAsync(port, cluster.Redis);
                redis = $"127.0.0.1:{port}";
            }
            var count = setup.Instances;
            var urls = new List<Uri>();
            for (var i = 0; i < count; i++)
            {
                var url = new Uri($"http://127.0.0.1:{ChildProcess.FreePort()}");
                cluster._servers.Add(StartServer(serverDll, url, redis, settings));
                urls.Add(url);
            }
            cluster.ServerUrls = urls;
            for (var i = 0; i < count; i++)
            {
                await WaitForReadyAsync(urls[i], cluster._servers[i]);
            }
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>CPU used so far by the servers (summed) and by Redis.</summary>
    public (TimeSpan Servers, TimeSpan Redis) Cpu() =>
        (TimeSpan.FromTicks(_servers.Sum(s => s.Cpu.Ticks)), Redis?.Cpu ?? TimeSpan.Zero);

    /// <summary>Resident memory of the servers now (summed), in bytes.</summary>
    public long Rss() => _servers.Sum(s => ProcessMemory.Rss(s.Pid));

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }
        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }
    }

    private static ChildProcess StartServer(string serverDll, Uri url, string? redis, IReadOnlyDictionary<string, string> settings)
    {
        var start = new ProcessStartInfo("dotnet", [serverDll, "--urls", url.ToString().TrimEnd('/')])
        {
            WorkingDirectory = Path.GetDirectoryName(serverDll)!,
        };
        // Development: the built-in token signer lets the bench log its users in.
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }
        if (redis is not null)
        {
            start.Environment["Redis__ConnectionString"] = redis;
            start.Environment["Redis__ChannelPrefix"] = "bench";
        }
        return ChildProcess.Start($"Hubs.Server {url}", start);
    }

    private static async Task WaitForReadyAsync(Uri url, ChildProcess server)
    {
        using var http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (server.HasExited)
            {
                throw new InvalidOperationException($"{server.Name} exited:\n{server.Output}");
            }
            try
            {
                using var response = await http.GetAsync(new Uri("/health/ready", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Still starting.
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"{server.Name} was not ready within 60 s:\n{server.Output}");
    }

    private static async Task WaitForRedisAsync(int port, ChildProcess redis)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (redis.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited:\n{redis.Output}");
            }
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", port);
                var stream = client.GetStream();
                await stream.WriteAsync("PING\r\n"u8.ToArray());
                var buffer = new byte[16];
                var read = await stream.ReadAsync(buffer);
                if (Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (SocketException)
            {
                // Not listening yet.
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"redis-server did not answer within 30 s:\n{redis.Output}");
    }
}
