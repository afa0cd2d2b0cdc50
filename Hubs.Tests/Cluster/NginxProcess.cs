using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using Hubs.Tests.Infrastructure;

namespace Hubs.Tests.Cluster;

/// <summary>
/// Real nginx (Debian package) in front of the given upstreams, configured from <c>deploy/nginx.conf</c>.
/// Runs in the foreground (<c>daemon off</c>) with its pid file, logs and temp files in a temp directory.
/// </summary>
public sealed partial class NginxProcess : IAsyncDisposable
{
    private readonly string _directory;
    private readonly StringBuilder _output = new();
    private Process? _process;

    private NginxProcess(int port, string directory)
    {
        Port = port;
        _directory = directory;
    }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    public string ConfigFile => Path.Combine(_directory, "nginx.conf");

    public string AccessLogFile => Path.Combine(_directory, "access.log");

    public string ErrorLogFile => Path.Combine(_directory, "error.log");

    /// <summary>Renders the shared template for three loopback upstreams and starts nginx on a free port.</summary>
    public static async Task<NginxProcess> StartAsync(IReadOnlyList<int> upstreamPorts)
    {
        if (upstreamPorts.Count != 3)
        {
            throw new ArgumentException("deploy/nginx.conf balances over three instances.", nameof(upstreamPorts));
        }
        var directory = Directory.CreateTempSubdirectory("hubs-nginx-").FullName;
        var nginx = new NginxProcess(ServerProcess.FreePort(), directory);
        var values = new Dictionary<string, string>
        {
            ["HUBS_LISTEN"] = $"127.0.0.1:{nginx.Port}",
            ["NGINX_STATE_DIR"] = directory,
            ["NGINX_ERROR_LOG"] = nginx.ErrorLogFile,
            ["NGINX_ACCESS_LOG"] = nginx.AccessLogFile,
        };
        for (var i = 0; i < upstreamPorts.Count; i++)
        {
            values[$"HUBS_SERVER_{i + 1}"] = $"127.0.0.1:{upstreamPorts[i]}";
        }
        await File.WriteAllTextAsync(nginx.ConfigFile, NginxConfigTemplate.Render(NginxConfigTemplate.Text, values));
        await nginx.StartAsync();
        return nginx;
    }

    /// <summary>Everything nginx said, for failure messages.</summary>
    public string Diagnostics
    {
        get
        {
            lock (_output)
            {
                return $"nginx output:\n{_output}\nerror.log:\n{ReadShared(ErrorLogFile)}";
            }
        }
    }

    /// <summary>The access log: one line per finished request, with the upstream that served it.</summary>
    public string AccessLog => ReadShared(AccessLogFile);

    private async Task StartAsync()
    {
        // Same command line as the nginx image: the config has no "daemon" directive.
        var start = new ProcessStartInfo("nginx", ["-p", _directory + "/", "-c", ConfigFile, "-g", "daemon off;"])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("nginx did not start.");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitUntilListeningAsync();
    }

    /// <summary>
    /// Which upstream port served the request whose target contains <paramref name="marker"/>. The log line is
    /// written when nginx finishes the request, which may be just after the client has its response.
    /// </summary>
    public async Task<int> UpstreamPortOfAsync(string marker)
    {
        AccessLogEntry? entry = null;
        await Eventually.HoldsAsync(() =>
        {
            entry = AccessLogEntries().FirstOrDefault(e => e.Request.Contains(marker, StringComparison.Ordinal));
            return Task.FromResult(entry is not null);
        }, $"nginx logged the request {marker}");
        // After a failover nginx lists every upstream it tried; the last one answered.
        return entry!.UpstreamPorts[^1];
    }

    /// <summary>The finished requests so far, parsed from the access log (format "hubs" in deploy/nginx.conf).</summary>
    public IReadOnlyList<AccessLogEntry> AccessLogEntries() =>
        [.. AccessLog.Split('\n').Select(line => AccessLine().Match(line)).Where(m => m.Success).Select(m => new AccessLogEntry(
            m.Groups["remote"].Value,
            m.Groups["request"].Value,
            int.Parse(m.Groups["status"].Value, CultureInfo.InvariantCulture),
            [.. m.Groups["addrs"].Value.Split(", ").Where(a => a != "-").Select(a => int.Parse(a[(a.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture))]))];

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false } process)
        {
            // SIGTERM is nginx's fast shutdown; the master takes its workers down with it.
            await Signals.TerminateAsync(process, TimeSpan.FromSeconds(10));
        }
        _process?.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Temp directories owned by nginx's worker user may resist; harmless.
        }
    }

    private async Task WaitUntilListeningAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"nginx exited with {_process.ExitCode}:\n{Diagnostics}");
            }
            try
            {
                using var response = await http.GetAsync(new Uri(BaseAddress, "/health/live"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"nginx did not answer on {BaseAddress} within 30 s:\n{Diagnostics}");
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

    private static string ReadShared(string path)
    {
        if (!File.Exists(path))
        {
            return "";
        }
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    [GeneratedRegex(@"^(?<remote>\S+) \[[^\]]*\] ""(?<request>[^""]*)"" (?<status>\d+) \d+ upstream=(?<addrs>[^ ,]+(?:, [^ ,]+)*)")]
    private static partial Regex AccessLine();
}

/// <summary>One request nginx finished: who asked, what, and the upstream ports it tried (the last one answered).</summary>
public sealed record AccessLogEntry(string RemoteAddress, string Request, int Status, IReadOnlyList<int> UpstreamPorts);
