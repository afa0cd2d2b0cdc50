using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using Hubs.Contracts;
using MessagePack;

namespace Hubs.Tests.Infrastructure;

/// <summary>
/// A hand-driven SignalR connection over a TestServer WebSocket, to look at the exact bytes the server sends:
/// JSON text frames ending in 0x1E, or MessagePack messages with a varint length prefix.
/// </summary>
public sealed class RawHubSocket : IAsyncDisposable
{
    private const byte RecordSeparator = 0x1e;
    private readonly WebSocket _socket;
    private readonly bool _binary;
    private readonly Queue<byte[]> _pending = new();

    private RawHubSocket(WebSocket socket, bool binary)
    {
        _socket = socket;
        _binary = binary;
    }

    public static async Task<RawHubSocket> ConnectAsync(HubsApplication app, string userName, string protocol)
    {
        var client = app.Server.CreateWebSocketClient();
        var token = app.CreateToken(userName);
        client.ConfigureRequest = request => request.Headers.Authorization = $"Bearer {token}";
        var socket = await client.ConnectAsync(new Uri(app.Server.BaseAddress, HubRoutes.Chat.TrimStart('/')), CancellationToken.None)
            .WaitAsync(Timeouts.Default);
        var raw = new RawHubSocket(socket, protocol == "messagepack");
        // The handshake is JSON in both protocols.
        var handshake = Encoding.UTF8.GetBytes($$"""{"protocol":"{{protocol}}","version":1}""" + (char)RecordSeparator);
        await socket.SendAsync(handshake, raw._binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text, true, CancellationToken.None);
        // The handshake response may share a frame with the first hub message.
        var frame = await raw.ReceiveFrameAsync();
        var end = Array.IndexOf(frame, RecordSeparator);
        if (end < 0 || Encoding.UTF8.GetString(frame, 0, end) != "{}")
        {
            throw new InvalidOperationException("Handshake failed: " + Encoding.UTF8.GetString(frame));
        }
        if (end + 1 < frame.Length)
        {
            raw.Split(frame[(end + 1)..]);
        }
        return raw;
    }

    /// <summary>Sends a JSON hub message (without the trailing separator).</summary>
    public Task SendJsonAsync(string json) =>
        _socket.SendAsync(Encoding.UTF8.GetBytes(json + (char)RecordSeparator), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>Sends one MessagePack hub message given as the array SignalR defines.</summary>
    public Task SendMessagePackAsync(object[] message)
    {
        var body = MessagePackSerializer.Serialize(message, MessagePack.Resolvers.ContractlessStandardResolver.Options);
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
        return _socket.SendAsync(framed.WrittenMemory, WebSocketMessageType.Binary, true, CancellationToken.None).AsTask();
    }

    /// <summary>The next hub message as raw bytes (JSON without separator, or a MessagePack array).</summary>
    public async Task<byte[]> NextMessageAsync()
    {
        while (_pending.Count == 0)
        {
            Split(await ReceiveFrameAsync());
        }
        return _pending.Dequeue();
    }

    public async ValueTask DisposeAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        }
        _socket.Dispose();
    }

    /// <summary>The messages of one MessagePack frame: each is prefixed by its length as a 7-bit varint.</summary>
    public static IEnumerable<ReadOnlyMemory<byte>> MessagePackMessages(byte[] frame)
    {
        var offset = 0;
        while (offset < frame.Length)
        {
            int length = 0, shift = 0;
            byte b;
            do
            {
                b = frame[offset++];
                length |= (b & 0x7f) << shift;
                shift += 7;
            }
            while ((b & 0x80) != 0);
            yield return frame.AsMemory(offset, length);
            offset += length;
        }
    }

    private void Split(byte[] frame)
    {
        if (!_binary)
        {
            foreach (var part in Encoding.UTF8.GetString(frame).Split((char)RecordSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                _pending.Enqueue(Encoding.UTF8.GetBytes(part));
            }
            return;
        }
        foreach (var message in MessagePackMessages(frame))
        {
            _pending.Enqueue(message.ToArray());
        }
    }

    private async Task<byte[]> ReceiveFrameAsync()
    {
        using var cts = new CancellationTokenSource(Timeouts.Default);
        var buffer = new ArrayBufferWriter<byte>();
        ValueWebSocketReceiveResult result;
        do
        {
            result = await _socket.ReceiveAsync(buffer.GetMemory(4096), cts.Token);
            buffer.Advance(result.Count);
        }
        while (!result.EndOfMessage);
        return buffer.WrittenSpan.ToArray();
    }
}
