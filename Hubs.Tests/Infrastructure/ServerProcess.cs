using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Hubs.Tests.Infrastructure;

/// <summary>
/// A real Hubs.Server process on Kestrel, bound to 127.0.0.1, for end-to-end tests that need real sockets,
/// restarts or kill -9. Settings become environment variables (<c>Rooms:HistoryLength</c> → <c>Rooms__HistoryLength</c>).
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly StringBuilder _output = new();
    private Process? _process;

    private ServerProcess(int port, IReadOnlyDictionary<string, string?> settings)
    {
        Port = port;
        _settings = settings;
    }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    /// <summary>What the server printed so far, for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts a server on a free loopback port (or <paramref name="port"/>) and waits until it answers.</summary>
    public static async Task<ServerProcess> StartAsync(IDictionary<string, string?>? settings = null, int? port = null)
    {
        var server = new ServerProcess(port ?? FreePort(), new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>()));
        await server.StartAsync();
        return server;
    }

    /// <summary>Starts the process again on the same port (after <see cref="StopAsync"/> or <see cref="Kill"/>).</summary>
    public async Task StartAsync()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("The server is already running.");
        }
        var serverDll = Path.Combine(ServerBinDirectory, "Hubs.Server.dll");
        var start = new ProcessStartInfo("dotnet", [serverDll, "--urls", BaseAddress.ToString().TrimEnd('/')])
        {
            WorkingDirectory = ServerBinDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in _settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        _process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitUntilLiveAsync();
    }

    /// <summary>Graceful stop (SIGTERM), as an orchestrator would do; waits for the exit.</summary>
    public async Task StopAsync()
    {
        if (_process is not { HasExited: false } process)
        {
            return;
        }
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    /// <summary>Waits for the process to end by itself (e.g. a start that fails after binding its ports).</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        var process = _process ?? throw new InvalidOperationException("The server was never started.");
        await process.WaitForExitAsync().WaitAsync(timeout);
        return process.ExitCode;
    }

    /// <summary>kill -9: the process dies without any clean-up.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process?.Dispose();
    }

    /// <summary>Asks the OS for a free loopback port.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task WaitUntilLiveAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"Hubs.Server exited with {_process.ExitCode}:\n{Output}");
            }
            try
            {
                using var response = await http.GetAsync(new Uri(BaseAddress, "/health/live"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Slow first request on a loaded machine.
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"Hubs.Server did not answer on {BaseAddress} within 60 s:\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    /// <summary>The server's own build output, beside this test assembly's configuration (Debug or Release).</summary>
    private static string ServerBinDirectory { get; } = FindServerBin();

    private static string FindServerBin()
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = testBin.Name;
        var configuration = testBin.Parent!.Name;
        for (var dir = testBin; dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RealtimeHubs.sln")))
            {
                return Path.Combine(dir.FullName, "Hubs.Server", "bin", configuration, framework);
            }
        }
        throw new InvalidOperationException("RealtimeHubs.sln not found above " + AppContext.BaseDirectory);
    }
}
