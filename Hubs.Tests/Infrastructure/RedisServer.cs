using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Hubs.Tests.Infrastructure;

/// <summary>
/// A real <c>redis-server</c> (the Debian binary) on a free 127.0.0.1 port with its own temporary directory.
/// It writes an append-only file synced on every write, so <see cref="Kill"/> then <see cref="RestartAsync"/>
/// is an outage that loses nothing, as with a production Redis configured for durability.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly string _directory;
    private readonly StringBuilder _output = new();
    private Process? _process;

    private RedisServer(int port, string directory)
    {
        Port = port;
        _directory = directory;
    }

    public int Port { get; }

    /// <summary>StackExchange.Redis configuration for this server.</summary>
    public string ConnectionString => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    public bool IsRunning => _process is { HasExited: false };

    public static async Task<RedisServer> StartAsync()
    {
        var server = CreateStopped();
        await server.RestartAsync();
        return server;
    }

    /// <summary>A server with a port and directory that is not running yet (start it with <see cref="RestartAsync"/>).</summary>
    public static RedisServer CreateStopped() =>
        new(ServerProcess.FreePort(), Directory.CreateTempSubdirectory("realtimehubs-redis-").FullName);

    /// <summary>Starts the server again on the same port and data directory; returns once it answers PING.</summary>
    public async Task RestartAsync()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("redis-server is already running.");
        }
        var start = new ProcessStartInfo("redis-server",
        [
            "--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", _directory,
            "--save", "", "--appendonly", "yes", "--appendfsync", "always", "--protected-mode", "yes",
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitUntilAnswersAsync();
    }

    /// <summary>kill -9 by PID: every client connection drops at once.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } process)
        {
            process.Kill();
            process.WaitForExit();
        }
    }

    /// <summary>Deletes everything the stopped server had written, as a Redis that lost its data.</summary>
    public void WipeData()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("Stop (Kill) redis-server before wiping its data.");
        }
        foreach (var entry in new DirectoryInfo(_directory).EnumerateFileSystemInfos())
        {
            if (entry is DirectoryInfo directory)
            {
                directory.Delete(recursive: true);
            }
            else
            {
                entry.Delete();
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _process?.Dispose();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still being closed; the temp directory is cleaned up by the OS eventually.
        }
        return ValueTask.CompletedTask;
    }

    private async Task WaitUntilAnswersAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with {_process.ExitCode}:\n{Output}");
            }
            if (await PingAsync())
            {
                return;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"redis-server did not answer on port {Port} within 30 s:\n{Output}");
    }

    private async Task<bool> PingAsync()
    {
        try
        {
            using var client = new TcpClient();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await client.ConnectAsync("127.0.0.1", Port, cts.Token);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), cts.Token);
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer, cts.Token);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException)
        {
            return false;
        }
    }

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

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}

/// <summary>One redis-server for a test class; tests isolate themselves with their own key prefix.</summary>
public sealed class RedisFixture : IAsyncLifetime
{
    private RedisServer? _server;
    private StackExchange.Redis.ConnectionMultiplexer? _connection;

    public RedisServer Server => _server ?? throw new InvalidOperationException("Not started.");

    /// <summary>A connection configured like the server's own (fail fast, reconnect by itself).</summary>
    public StackExchange.Redis.IConnectionMultiplexer Connection => _connection ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        _server = await RedisServer.StartAsync();
        _connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(_server.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
