using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Hubs.Tests.Infrastructure;

/// <summary>
/// A TCP relay on 127.0.0.1 in front of a real server, so a test can do to one client's sockets what a network
/// does: cut them abruptly (a reset, no close handshake) while the client's next connections still get through,
/// hold new connections before they reach the server, or stop handing the server's bytes to the client (a client
/// that no longer reads). Each connection's request line is recorded, so a test sees what the client asked for.
/// </summary>
public sealed class LoopbackTcpRelay : IAsyncDisposable
{
    private const int ChunkBytes = 16 * 1024;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _server;
    private readonly int? _serverReceiveBufferBytes;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<Socket, byte> _sockets = new();
    private readonly ConcurrentDictionary<Relayed, byte> _relayed = new();
    private readonly Task _accepting;
    private TaskCompletionSource _admit = Open();
    private TaskCompletionSource _serverToClient = Open();

    private LoopbackTcpRelay(IPEndPoint server, int? serverReceiveBufferBytes)
    {
        _server = server;
        _serverReceiveBufferBytes = serverReceiveBufferBytes;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>http://127.0.0.1:port of the relay: a client given this address reaches the server through it.</summary>
    public Uri Address => new($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}");

    /// <summary>The first line of every connection's request (e.g. <c>GET /hubs/chat?id=… HTTP/1.1</c>), in arrival order.</summary>
    public EventStream<string> Requests { get; } = new();

    /// <summary>
    /// Relays to <paramref name="server"/>. <paramref name="serverReceiveBufferBytes"/> caps the kernel buffer of the
    /// relay's sockets towards the server, so that once <see cref="PauseServerToClient"/> stops the relay reading, the
    /// server's writes wait after kilobytes instead of megabytes.
    /// </summary>
    public static LoopbackTcpRelay Start(Uri server, int? serverReceiveBufferBytes = null) =>
        new(new IPEndPoint(IPAddress.Loopback, server.Port), serverReceiveBufferBytes);

    /// <summary>New connections are accepted (and their request line recorded) but not connected to the server until <see cref="AdmitNewConnections"/>.</summary>
    public void HoldNewConnections() => Close(ref _admit);

    public void AdmitNewConnections() => Volatile.Read(ref _admit).TrySetResult();

    /// <summary>From now on nothing the server sends reaches the client; the relay stops reading it, so it piles up at the server.</summary>
    public void PauseServerToClient() => Close(ref _serverToClient);

    public void ResumeServerToClient() => Volatile.Read(ref _serverToClient).TrySetResult();

    /// <summary>
    /// Resets every relayed connection on both sides at once (linger 0: an RST, no FIN, no WebSocket close frame),
    /// like a dropped network path; bytes the relay held back are lost. Connections made afterwards are relayed as usual.
    /// </summary>
    /// <returns>How many connections were cut.</returns>
    public int CutAll()
    {
        var cut = 0;
        foreach (var relayed in _relayed.Keys)
        {
            if (_relayed.TryRemove(relayed, out _))
            {
                relayed.Reset();
                cut++;
            }
        }
        return cut;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _listener.Stop();
        foreach (var socket in _sockets.Keys)
        {
            Reset(socket);
        }
        await _accepting;
        _stopping.Dispose();
    }

    private static TaskCompletionSource Open()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }

    /// <summary>Replaces an open gate with a closed one (a closed gate stays as it is).</summary>
    private static void Close(ref TaskCompletionSource gate)
    {
        var current = Volatile.Read(ref gate);
        if (current.Task.IsCompleted)
        {
            Interlocked.CompareExchange(ref gate, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), current);
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stopping.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        client.NoDelay = true;
        _sockets.TryAdd(client, 0);
        Socket? server = null;
        try
        {
            var first = await ReadRequestLineAsync(client);
            if (first.IsEmpty)
            {
                return;
            }
            await Volatile.Read(ref _admit).Task.WaitAsync(_stopping.Token);
            server = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            _sockets.TryAdd(server, 0);
            if (_serverReceiveBufferBytes is { } size)
            {
                // Before connecting: the TCP window is agreed on at the handshake.
                server.ReceiveBufferSize = size;
            }
            await server.ConnectAsync(_server, _stopping.Token);
            await server.SendAsync(first, _stopping.Token);
            var relayed = new Relayed(client, server);
            _relayed.TryAdd(relayed, 0);
            try
            {
                await Task.WhenAll(PumpAsync(client, server, paused: null), PumpAsync(server, client, paused: () => Volatile.Read(ref _serverToClient).Task));
            }
            finally
            {
                _relayed.TryRemove(relayed, out _);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Cut, refused or stopped: both sockets go below.
        }
        finally
        {
            Dispose(client);
            if (server is not null)
            {
                Dispose(server);
            }
        }
    }

    /// <summary>Reads until the first line of the request is in, records it, and returns what was read (to be sent on); empty if the client left.</summary>
    private async Task<ReadOnlyMemory<byte>> ReadRequestLineAsync(Socket client)
    {
        var buffer = new byte[ChunkBytes];
        var length = 0;
        int end;
        while ((end = buffer.AsSpan(0, length).IndexOf("\r\n"u8)) < 0)
        {
            if (length == buffer.Length)
            {
                end = length;
                break;
            }
            var read = await client.ReceiveAsync(buffer.AsMemory(length), _stopping.Token);
            if (read == 0)
            {
                return ReadOnlyMemory<byte>.Empty;
            }
            length += read;
        }
        await Requests.Add(Encoding.ASCII.GetString(buffer, 0, end));
        return buffer.AsMemory(0, length);
    }

    /// <summary>Copies one direction; an end of stream is passed on as a half-close, an error resets both sockets.</summary>
    private async Task PumpAsync(Socket from, Socket to, Func<Task>? paused)
    {
        var buffer = new byte[ChunkBytes];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, _stopping.Token);
                if (paused is not null)
                {
                    // Checked between reading and writing: bytes read before a pause are held back, not delivered late.
                    await paused().WaitAsync(_stopping.Token);
                }
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }
                await to.SendAsync(buffer.AsMemory(0, read), _stopping.Token);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            Reset(from);
            Reset(to);
        }
    }

    private void Dispose(Socket socket)
    {
        _sockets.TryRemove(socket, out _);
        socket.Dispose();
    }

    /// <summary>Closes with linger 0, so the peer gets a reset; .NET aborts the socket even with reads pending on it.</summary>
    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }
        socket.Dispose();
    }

    private sealed record Relayed(Socket Client, Socket Server)
    {
        public void Reset()
        {
            LoopbackTcpRelay.Reset(Client);
            LoopbackTcpRelay.Reset(Server);
        }
    }
}
