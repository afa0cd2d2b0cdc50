using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Hubs.Contracts;
using Hubs.Tests.Infrastructure;
using MessagePack;

namespace Hubs.Tests.Hostile;

/// <summary>
/// A hand-driven SignalR client on a real TCP socket to real Kestrel: it sends whatever bytes a case wants
/// (no negotiate, like a browser with skipNegotiation) and reads the server's replies, or stops reading.
/// </summary>
public sealed class HostileSocket : IAsyncDisposable
{
    private const byte RecordSeparator = 0x1e;
    private static readonly MessagePackSerializerOptions s_messagePack = MessagePack.Resolvers.ContractlessStandardResolver.Options;
    private readonly ClientWebSocket _socket;
    private readonly HttpMessageInvoker _invoker;
    private readonly Queue<HubReply> _pending = new();
    private bool _binary;

    private HostileSocket(ClientWebSocket socket, HttpMessageInvoker invoker)
    {
        _socket = socket;
        _invoker = invoker;
    }

    public WebSocketState State => _socket.State;

    /// <summary>
    /// Opens the WebSocket. <paramref name="receiveBufferBytes"/> caps the client's kernel receive buffer, so a
    /// client that stops reading pushes back on the server after kilobytes instead of megabytes.
    /// </summary>
    public static async Task<HostileSocket> OpenAsync(Uri server, string? token, string path = HubRoutes.Chat, string? query = null,
        int? receiveBufferBytes = null)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                if (receiveBufferBytes is { } size)
                {
                    socket.ReceiveBufferSize = size;
                }
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        var invoker = new HttpMessageInvoker(handler);
        var client = new ClientWebSocket();
        client.Options.CollectHttpResponseDetails = true;
        var parameters = new List<string>();
        if (token is not null)
        {
            parameters.Add("access_token=" + Uri.EscapeDataString(token));
        }
        if (query is not null)
        {
            parameters.Add(query);
        }
        var uri = new UriBuilder(server) { Scheme = "ws", Path = path, Query = string.Join('&', parameters) }.Uri;
        try
        {
            await client.ConnectAsync(uri, invoker, CancellationToken.None).WaitAsync(Timeouts.Default);
        }
        catch (WebSocketException e)
        {
            var status = client.HttpStatusCode;
            client.Dispose();
            invoker.Dispose();
            throw new UpgradeRefusedException(status, e);
        }
        return new HostileSocket(client, invoker);
    }

    /// <summary>Opens a connection for <paramref name="token"/> and completes the handshake for <paramref name="protocol"/>.</summary>
    public static async Task<HostileSocket> ConnectAsync(Uri server, string token, string protocol = "json", int? receiveBufferBytes = null)
    {
        var socket = await OpenAsync(server, token, receiveBufferBytes: receiveBufferBytes);
        var response = await socket.HandshakeAsync(protocol);
        if (response != "{}")
        {
            throw new InvalidOperationException("Handshake refused: " + response);
        }
        return socket;
    }

    /// <summary>Sends the handshake request and returns the server's handshake response (JSON without separator).</summary>
    public async Task<string> HandshakeAsync(string protocol, int version = 1)
    {
        _binary = protocol == "messagepack";
        await SendTextAsync($$"""{"protocol":"{{protocol}}","version":{{version}}}""" + (char)RecordSeparator);
        return await ReadHandshakeResponseAsync();
    }

    /// <summary>Reads the handshake response; hub messages in the same frame are kept for later reads.</summary>
    public async Task<string> ReadHandshakeResponseAsync()
    {
        var frame = await ReceiveFrameAsync() ?? throw new InvalidOperationException("Closed before the handshake response.");
        var end = Array.IndexOf(frame, RecordSeparator);
        if (end < 0)
        {
            return Encoding.UTF8.GetString(frame);
        }
        if (end + 1 < frame.Length)
        {
            Parse(frame[(end + 1)..]);
        }
        return Encoding.UTF8.GetString(frame, 0, end);
    }

    public Task SendTextAsync(string text) => SendFrameAsync(Encoding.UTF8.GetBytes(text), binary: false);

    public Task SendFrameAsync(byte[] bytes, bool binary) =>
        _socket.SendAsync(bytes, binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text, true, CancellationToken.None)
            .WaitAsync(Timeouts.Default);

    /// <summary>One JSON hub message, with its record separator.</summary>
    public Task SendJsonAsync(string json) => SendTextAsync(json + (char)RecordSeparator);

    /// <summary>One MessagePack hub message (the array SignalR defines), length-prefixed.</summary>
    public Task SendMessagePackAsync(params object?[] message) => SendFrameAsync(Frame(message), binary: true);

    public bool IsMessagePack => _binary;

    /// <summary>A blocking invocation in this connection's protocol; <paramref name="arguments"/> use camelCase property names.</summary>
    public Task InvokeAsync(string invocationId, string target, params object?[] arguments) =>
        _binary
            ? SendMessagePackAsync(1, new Dictionary<string, object>(), invocationId, target, arguments)
            : SendJsonAsync(JsonSerializer.Serialize(new { type = 1, invocationId, target, arguments }));

    /// <summary>
    /// Proves the connection still works: a valid call gets its answer. Returns the completions and close
    /// messages that arrived before it (pings and server invocations such as broadcasts are skipped).
    /// </summary>
    public async Task<IReadOnlyList<HubReply>> ProbeAsync()
    {
        var id = "probe-" + Guid.NewGuid().ToString("N");
        await InvokeAsync(id, nameof(IChatHub.GetRoomMembers), new { room = "probe" });
        var before = new List<HubReply>();
        while (await NextAsync() is { } reply)
        {
            if (reply.Type == HubReply.Completion && reply.InvocationId == id)
            {
                return reply.Error is null ? before : throw new InvalidOperationException("The probe call failed: " + reply.Error);
            }
            if (reply.Type is HubReply.Completion or HubReply.Close)
            {
                before.Add(reply);
            }
            if (reply.Type == HubReply.Close)
            {
                break;
            }
        }
        throw new InvalidOperationException("The connection closed before the probe call was answered: " + string.Join(", ", before));
    }

    /// <summary>A MessagePack hub message with its varint length prefix.</summary>
    public static byte[] Frame(object?[] message) => LengthPrefixed(MessagePackSerializer.Serialize(message, s_messagePack));

    public static byte[] LengthPrefixed(byte[] body)
    {
        var framed = new ArrayBufferWriter<byte>();
        var length = body.Length;
        do
        {
            var b = (byte)(length & 0x7f);
            length >>= 7;
            framed.Write([length > 0 ? (byte)(b | 0x80) : b]);
        }
        while (length > 0);
        framed.Write(body);
        return framed.WrittenSpan.ToArray();
    }

    /// <summary>The next message from the server, or null once the socket is closed.</summary>
    public async Task<HubReply?> NextAsync()
    {
        while (_pending.Count == 0)
        {
            var frame = await ReceiveFrameAsync();
            if (frame is null)
            {
                return null;
            }
            Parse(frame);
        }
        return _pending.Dequeue();
    }

    /// <summary>Reads until the completion of <paramref name="invocationId"/>; fails if the connection ends first.</summary>
    public async Task<HubReply> CompletionAsync(string invocationId)
    {
        while (await NextAsync() is { } reply)
        {
            if (reply.Type == HubReply.Completion && reply.InvocationId == invocationId)
            {
                return reply;
            }
            if (reply.Type == HubReply.Close)
            {
                throw new InvalidOperationException($"Closed while waiting for completion {invocationId}: {reply}");
            }
        }
        throw new InvalidOperationException($"The socket closed while waiting for completion {invocationId}.");
    }

    /// <summary>Reads until the server's Welcome and returns the connection id it names.</summary>
    public async Task<string> WelcomeConnectionIdAsync()
    {
        while (await NextAsync() is { } reply)
        {
            if (reply.Type == HubReply.Invocation && reply.Target == nameof(IChatClient.Welcome))
            {
                using var json = JsonDocument.Parse(reply.Raw);
                var arguments = json.RootElement.ValueKind == JsonValueKind.Array ? json.RootElement[4] : json.RootElement.GetProperty("arguments");
                return arguments[0].GetProperty("connectionId").GetString()!;
            }
        }
        throw new InvalidOperationException("The socket closed before the Welcome.");
    }

    /// <summary>Reads (and drops) everything until the server ends the connection.</summary>
    public async Task<CloseOutcome> ClosedAsync()
    {
        string? error = null;
        var sawClose = false;
        try
        {
            while (await NextAsync() is { } reply)
            {
                if (reply.Type == HubReply.Close)
                {
                    sawClose = true;
                    error = reply.Error;
                }
            }
            return new CloseOutcome(error, sawClose, $"socket closed ({_socket.CloseStatus})");
        }
        catch (WebSocketException e)
        {
            return new CloseOutcome(error, sawClose, $"socket aborted ({e.WebSocketErrorCode})");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            // The server already dropped it; nothing to close politely.
        }
        _socket.Dispose();
        _invoker.Dispose();
    }

    private async Task<byte[]?> ReceiveFrameAsync()
    {
        if (_socket.State is not (WebSocketState.Open or WebSocketState.CloseSent))
        {
            return null;
        }
        using var cts = new CancellationTokenSource(Timeouts.Default);
        var buffer = new ArrayBufferWriter<byte>();
        ValueWebSocketReceiveResult result;
        do
        {
            try
            {
                result = await _socket.ReceiveAsync(buffer.GetMemory(16 * 1024), cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"The server sent nothing within {Timeouts.Default}.");
            }
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }
            buffer.Advance(result.Count);
        }
        while (!result.EndOfMessage);
        return buffer.WrittenSpan.ToArray();
    }

    private void Parse(byte[] frame)
    {
        if (_binary)
        {
            ParseMessagePack(frame);
            return;
        }
        foreach (var part in Encoding.UTF8.GetString(frame).Split((char)RecordSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            using var json = JsonDocument.Parse(part);
            var root = json.RootElement;
            _pending.Enqueue(new HubReply(
                root.TryGetProperty("type", out var type) ? type.GetInt32() : -1,
                Text(root, "invocationId"),
                Text(root, "target"),
                Text(root, "error"),
                part));
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private void ParseMessagePack(byte[] frame)
    {
        foreach (var bytes in RawHubSocket.MessagePackMessages(frame))
        {
            var message = MessagePackSerializer.Deserialize<object?[]>(bytes, s_messagePack);
            var type = Convert.ToInt32(message[0], System.Globalization.CultureInfo.InvariantCulture);
            var raw = MessagePackSerializer.ConvertToJson(MessagePackSerializer.Serialize(message, s_messagePack));
            _pending.Enqueue(type switch
            {
                // [1, headers, invocationId, target, arguments, streamIds?]
                HubReply.Invocation => new HubReply(type, message[2] as string, message[3] as string, null, raw),
                // [3, headers, invocationId, resultKind (1 = error), result]
                HubReply.Completion => new HubReply(type, message[2] as string, null,
                    Convert.ToInt32(message[3], System.Globalization.CultureInfo.InvariantCulture) == 1 ? message[4] as string : null, raw),
                // [7, error, allowReconnect]
                HubReply.Close => new HubReply(type, null, null, message.Length > 1 ? message[1] as string : null, raw),
                _ => new HubReply(type, null, null, null, raw),
            });
        }
    }
}

/// <summary>The server refused the WebSocket upgrade with an HTTP status.</summary>
public sealed class UpgradeRefusedException(HttpStatusCode status, Exception inner)
    : Exception($"WebSocket upgrade refused with {(int)status} {status}.", inner)
{
    public HttpStatusCode Status { get; } = status;
}
