using System.Text;

namespace Hubs.Tests.Hostile;

public static partial class HostileCases
{
    private const string Sep = HostileContext.Separator;

    private static HostileCase[] JsonFrames =>
    [
        Case("json", "not JSON at all", async c =>
        {
            await using var s = await c.ConnectAsync();
            await s.SendTextAsync("hello there" + Sep);
            return await Expect.Closed(s);
        }),
        Case("json", "truncated object", async c =>
        {
            await using var s = await c.ConnectAsync();
            await s.SendTextAsync("""{"type":1,"invocationId":"1",""" + Sep);
            return await Expect.Closed(s);
        }),
        Case("json", "an array instead of a message object", async c =>
        {
            await using var s = await c.ConnectAsync();
            await s.SendTextAsync("[1,2,3]" + Sep);
            return await Expect.Closed(s);
        }),
        Case("json", "message without a type", async c =>
        {
            await using var s = await c.ConnectAsync();
            await s.SendJsonAsync("""{"target":"SendMessage","arguments":[]}""");
            return await Expect.Closed(s);
        }),
        Case("json", "invocation without a target", async c =>
        {
            await using var s = await c.ConnectAsync();
            await s.SendJsonAsync("""{"type":1,"invocationId":"1","arguments":[]}""");
            return await Expect.Closed(s);
        }),
        Case("json", "arguments given as an object", async c =>
        {
            await using var s = await c.ConnectAsync();
            await s.SendJsonAsync("""{"type":1,"invocationId":"1","target":"SendMessage","arguments":{"text":"hi"}}""");
            return await Expect.Closed(s);
        }),
        Case("json", "two messages glued without a record separator (the first counts, the rest is dropped)", async c =>
        {
            await using var s = await c.ConnectAsync();
            var call = HostileContext.Invocation("1", "GetRoomMembers", """[{"room":"lobby"}]""");
            await s.SendTextAsync(call + HostileContext.Invocation("2", "DropAllTables", "[]") + Sep);
            var answer = await Expect.CallSucceeds(s, "1");
            return answer + "; the glued second call got no answer";
        }),
        Case("json", "a message is held until its record separator arrives", async c =>
        {
            await using var s = await c.ConnectAsync();
            await s.SendTextAsync(HostileContext.Invocation("held", "GetRoomMembers", """[{"room":"lobby"}]"""));
            await s.SendTextAsync(Sep);
            return await Expect.CallSucceeds(s, "held");
        }),
        Case("json", "40 KB without a record separator (over the 32 KB limit)", async c =>
        {
            await using var s = await c.ConnectAsync();
            await s.SendTextAsync("""{"type":1,"target":"SendMessage","arguments":[{"text":" """ + new string('a', 40 * 1024));
            return await Expect.Closed(s);
        }),
        Case("json", "one 40 KB message (over the 32 KB limit)", async c =>
        {
            await using var s = await c.ConnectAsync();
            await s.SendJsonAsync(HostileContext.Invocation("big", "SendMessage", $$"""[{"text":"{{new string('a', 40 * 1024)}}"}]"""));
            return await Expect.Closed(s);
        }),
        Case("json", "invalid UTF-8 bytes", async c =>
        {
            await using var s = await c.ConnectAsync();
            var bytes = Encoding.UTF8.GetBytes("""{"type":1,"invocationId":"1","target":"SendMessage","arguments":[{"text":" """).Concat(new byte[] { 0xC3, 0x28, 0xFF, 0xFE })
                .Concat(Encoding.UTF8.GetBytes("\"}]}" + Sep)).ToArray();
            await s.SendFrameAsync(bytes, binary: true);
            return await Expect.CallFails(s, "1", "Failed to invoke 'SendMessage'");
        }),
        Case("json", "arguments nested 5,000 levels deep", async c =>
        {
            await using var s = await c.ConnectAsync();
            await s.SendJsonAsync(HostileContext.Invocation("deep", "SendMessage", new string('[', 5000) + new string(']', 5000)));
            return await Expect.Closed(s);
        }),
        Case("json", "an unknown message type 99 stalls its own connection until 32 KB more close it", c => UnknownTypeAsync(c, "json")),
        Case("json", "an empty message between separators", async c =>
        {
            await using var s = await c.ConnectAsync();
            await s.SendTextAsync(Sep + Sep);
            return await Expect.Closed(s);
        }),
    ];

    private static HostileCase[] MessagePackFrames =>
    [
        Case("messagepack", "an unknown message type 99 stalls its own connection until 32 KB more close it", c => UnknownTypeAsync(c, "messagepack")),
        Case("messagepack", "random bytes", async c =>
        {
            await using var s = await c.ConnectAsync("messagepack");
            var garbage = new byte[200];
            new Random(7).NextBytes(garbage);
            await s.SendFrameAsync(HostileSocket.LengthPrefixed(garbage), binary: true);
            return await Expect.Closed(s);
        }),
        Case("messagepack", "a length prefix that claims more than 2 GB", async c =>
        {
            await using var s = await c.ConnectAsync("messagepack");
            await s.SendFrameAsync([0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x91, 0x01], binary: true);
            return await Expect.Closed(s);
        }),
        Case("messagepack", "a map instead of the message array", async c =>
        {
            await using var s = await c.ConnectAsync("messagepack");
            await s.SendFrameAsync(HostileSocket.LengthPrefixed(MessagePack.MessagePackSerializer.Serialize(new Dictionary<string, int> { ["type"] = 1 })), binary: true);
            return await Expect.Closed(s);
        }),
        Case("messagepack", "a number where the invocation id goes", async c =>
        {
            await using var s = await c.ConnectAsync("messagepack");
            await s.SendMessagePackAsync(1, new Dictionary<string, object>(), 42, "SendMessage", new object[] { new { text = "hi" } });
            return await Expect.Closed(s);
        }),
        Case("messagepack", "a message array that is too short", async c =>
        {
            await using var s = await c.ConnectAsync("messagepack");
            await s.SendMessagePackAsync(1, new Dictionary<string, object>());
            return await Expect.Closed(s);
        }),
        Case("messagepack", "a number where the request record goes", async c =>
        {
            await using var s = await c.ConnectAsync("messagepack");
            await s.InvokeAsync("1", "SendMessage", 42);
            return await Expect.CallFails(s, "1", "Failed to invoke 'SendMessage'");
        }),
        Case("messagepack", "a request field of the wrong type", async c =>
        {
            await using var s = await c.ConnectAsync("messagepack");
            await s.InvokeAsync("1", "JoinRoom", new Dictionary<string, object> { ["room"] = new[] { 1, 2, 3 } });
            return await Expect.CallFails(s, "1", "Failed to invoke 'JoinRoom'");
        }),
        Case("messagepack", "a nil request", async c =>
        {
            await using var s = await c.ConnectAsync("messagepack");
            await s.InvokeAsync("1", "SendMessage", [null]);
            return await Expect.CallFails(s, "1", "Message text must not be empty.");
        }),
        Case("messagepack", "an unknown method", async c =>
        {
            await using var s = await c.ConnectAsync("messagepack");
            await s.InvokeAsync("1", "DropAllTables", new { text = "hi" });
            return await Expect.CallFails(s, "1", "Failed to invoke 'DropAllTables' due to an error on the server.");
        }),
        Case("messagepack", "one 40 KB message (over the 32 KB limit)", async c =>
        {
            await using var s = await c.ConnectAsync("messagepack");
            await s.InvokeAsync("1", "SendMessage", new { text = new string('a', 40 * 1024) });
            return await Expect.Closed(s);
        }),
        Case("messagepack", "a JSON text frame on a MessagePack connection", async c =>
        {
            await using var s = await c.ConnectAsync("messagepack");
            // '{' reads as a length prefix of 123 bytes; more than that follows, so the 123 bytes are parsed and fail.
            await s.SendJsonAsync(HostileContext.Invocation("1", "GetRoomMembers", $$"""[{"room":"{{new string('l', 200)}}"}]"""));
            return await Expect.Closed(s);
        }),
    ];

    private static HostileCase[] Handshakes =>
    [
        Case("handshake", "an unknown protocol", async c =>
        {
            await using var s = await c.OpenAsync();
            return await Expect.HandshakeRefused(s, await s.HandshakeAsync("xml"), "The protocol 'xml' is not supported.");
        }),
        Case("handshake", "an unsupported protocol version", async c =>
        {
            await using var s = await c.OpenAsync();
            return await Expect.HandshakeRefused(s, await s.HandshakeAsync("json", version: 99), "version 99");
        }),
        Case("handshake", "not JSON", async c =>
        {
            await using var s = await c.OpenAsync();
            await s.SendTextAsync("HELLO SERVER" + Sep);
            return await Expect.HandshakeRefused(s, await s.ReadHandshakeResponseAsync(), Expect.HandshakeError);
        }),
        Case("handshake", "no protocol named", async c =>
        {
            await using var s = await c.OpenAsync();
            await s.SendTextAsync("""{"version":1}""" + Sep);
            return await Expect.HandshakeRefused(s, await s.ReadHandshakeResponseAsync(), Expect.HandshakeError);
        }),
        Case("handshake", "a hub invocation instead of the handshake", async c =>
        {
            await using var s = await c.OpenAsync();
            await s.SendJsonAsync(HostileContext.Invocation("1", "SendMessage", """[{"text":"hi"}]"""));
            return await Expect.HandshakeRefused(s, await s.ReadHandshakeResponseAsync(), Expect.HandshakeError);
        }),
        Case("handshake", "40 KB of handshake without a separator", async c =>
        {
            await using var s = await c.OpenAsync();
            await s.SendTextAsync("""{"protocol":" """ + new string('j', 40 * 1024));
            var end = await s.ClosedAsync();
            return "closed: " + end;
        }),
        Case("handshake", "binary garbage", async c =>
        {
            await using var s = await c.OpenAsync();
            await s.SendFrameAsync([0x00, 0xFF, 0x1E, 0x80, 0x1E], binary: true);
            return await Expect.HandshakeRefused(s, await s.ReadHandshakeResponseAsync(), Expect.HandshakeError);
        }),
    ];

    /// <summary>
    /// SignalR's protocols skip message types they do not know (room for newer clients), but the connection
    /// handler then never consumes that message, so nothing the connection sends afterwards is answered. The
    /// unconsumed input is still bounded: past Hubs:MaximumReceiveMessageSize the connection is closed.
    /// </summary>
    private static async Task<string> UnknownTypeAsync(HostileContext c, string protocol)
    {
        await using var s = await c.ConnectAsync(protocol);
        if (s.IsMessagePack)
        {
            await s.SendMessagePackAsync(99, new Dictionary<string, object>());
        }
        else
        {
            await s.SendJsonAsync("""{"type":99,"invocationId":"1"}""");
        }
        await s.InvokeAsync("after", "GetRoomMembers", new { room = "lobby" });
        await s.InvokeAsync("padding", "SendMessage", new { text = new string('p', 20 * 1024) });
        await s.InvokeAsync("padding", "SendMessage", new { text = new string('p', 20 * 1024) });
        var answered = false;
        string? closeError = null;
        while (await s.NextAsync() is { } reply)
        {
            answered |= reply.Type == HubReply.Completion;
            closeError = reply.Type == HubReply.Close ? reply.Error : closeError;
        }
        Assert.False(answered, "A call after the unknown message type was answered.");
        Assert.Equal(Expect.ProtocolError, closeError);
        return $"the calls after it went unanswered; closed once 40 KB waited: \"{closeError}\"";
    }
}
