namespace Hubs.Tests.Hostile;

public static partial class HostileCases
{
    private static HostileCase[] Calls =>
    [
        Case("arguments", "a number where the request record goes", async c =>
        {
            await using var s = await c.ConnectAsync();
            await s.SendJsonAsync(HostileContext.Invocation("1", "SendMessage", "[42]"));
            return await Expect.CallFails(s, "1", "Failed to invoke 'SendMessage'");
        }),
        Case("arguments", "no arguments", async c =>
        {
            await using var s = await c.ConnectAsync();
            await s.SendJsonAsync(HostileContext.Invocation("1", "SendMessage", "[]"));
            return await Expect.CallFails(s, "1", "Failed to invoke 'SendMessage'");
        }),
        Case("arguments", "three arguments for a one-argument method", async c =>
        {
            await using var s = await c.ConnectAsync();
            await s.SendJsonAsync(HostileContext.Invocation("1", "SendMessage", """[{"text":"a"},{"text":"b"},3]"""));
            return await Expect.CallFails(s, "1", "Failed to invoke 'SendMessage'");
        }),
        Case("arguments", "a null request", async c =>
        {
            await using var s = await c.ConnectAsync();
            await s.SendJsonAsync(HostileContext.Invocation("1", "SendMessage", "[null]"));
            return await Expect.CallFails(s, "1", "Message text must not be empty.");
        }),
        Case("arguments", "an empty request object", async c =>
        {
            await using var s = await c.ConnectAsync();
            await s.SendJsonAsync(HostileContext.Invocation("1", "JoinRoom", "[{}]"));
            return await Expect.CallFails(s, "1", "Invalid room name ''");
        }),
        Case("arguments", "whitespace-only text", async c =>
        {
            await using var s = await c.ConnectAsync();
            await s.SendJsonAsync(HostileContext.Invocation("1", "SendMessage", """[{"text":" \t\n "}]"""));
            return await Expect.CallFails(s, "1", "Message text must not be empty.");
        }),
        Case("arguments", "text over the length limit", async c =>
        {
            await using var s = await c.ConnectAsync();
            await s.SendJsonAsync(HostileContext.Invocation("1", "SendMessage", $$"""[{"text":"{{new string('a', HostileServerFixture.MaxMessageLength + 1)}}"}]"""));
            return await Expect.CallFails(s, "1", $"the limit is {HostileServerFixture.MaxMessageLength}");
        }),
        Case("arguments", "a number where text goes", async c =>
        {
            await using var s = await c.ConnectAsync();
            await s.SendJsonAsync(HostileContext.Invocation("1", "SendMessage", """[{"text":42}]"""));
            return await Expect.CallFails(s, "1", "Failed to invoke 'SendMessage'");
        }),
        Case("arguments", "a room name with path characters", async c =>
        {
            await using var s = await c.ConnectAsync();
            await s.SendJsonAsync(HostileContext.Invocation("1", "JoinRoom", """[{"room":"../../etc/passwd"}]"""));
            return await Expect.CallFails(s, "1", "Invalid room name");
        }),
        Case("arguments", "a 20 KB room name", async c =>
        {
            await using var s = await c.ConnectAsync();
            await s.SendJsonAsync(HostileContext.Invocation("1", "JoinRoom", $$"""[{"room":"{{new string('r', 20 * 1024)}}"}]"""));
            return await Expect.CallFails(s, "1", "Invalid room name");
        }),
        Case("arguments", "a room name with control characters and emoji", async c =>
        {
            await using var s = await c.ConnectAsync();
            await s.SendJsonAsync(HostileContext.Invocation("1", "JoinRoom", """[{"room":"a\u0000b\u202e\ud83d\ude00"}]"""));
            return await Expect.CallFails(s, "1", "Invalid room name");
        }),
        Case("arguments", "a 10 KB clientMessageId", async c =>
        {
            await using var s = await c.ConnectAsync();
            await s.SendJsonAsync(HostileContext.Invocation("1", "SendMessage", $$"""[{"text":"hi","clientMessageId":"{{new string('c', 10 * 1024)}}"}]"""));
            return await Expect.CallFails(s, "1", "clientMessageId must be 1-");
        }),
        Case("arguments", "a direct message to a user who is not online", async c =>
        {
            await using var s = await c.ConnectAsync();
            await s.SendJsonAsync(HostileContext.Invocation("1", "SendDirectMessage", """[{"userId":"nobody-here","text":"psst"}]"""));
            return await Expect.CallFails(s, "1", "is not online");
        }),
        Case("arguments", "a room message to a room not joined", async c =>
        {
            await using var s = await c.ConnectAsync();
            await s.SendJsonAsync(HostileContext.Invocation("1", "SendRoomMessage", """[{"room":"not-mine","text":"hi"}]"""));
            return await Expect.CallFails(s, "1", "You are not a member of room 'not-mine'");
        }),
        Case("arguments", "a negative history page size", async c =>
        {
            await using var s = await c.ConnectAsync();
            await s.SendJsonAsync(HostileContext.Invocation("1", "GetRoomHistory", """[{"room":"lobby","limit":-5}]"""));
            return await Expect.CallFails(s, "1", "limit must be between 1 and");
        }),
        Case("arguments", "a history id beyond 2^63", async c =>
        {
            await using var s = await c.ConnectAsync();
            await s.SendJsonAsync(HostileContext.Invocation("1", "JoinRoom", """[{"room":"lobby","sinceId":99999999999999999999999}]"""));
            return await Expect.CallFails(s, "1", "Failed to invoke 'JoinRoom'");
        }),
        Case("arguments", "unknown extra fields are ignored", async c =>
        {
            await using var s = await c.ConnectAsync();
            await s.SendJsonAsync(HostileContext.Invocation("1", "GetRoomMembers", """[{"room":"lobby","__proto__":{"admin":true},"roles":["admin"]}]"""));
            return await Expect.CallSucceeds(s, "1");
        }),
        Case("methods", "an unknown method", async c =>
        {
            await using var s = await c.ConnectAsync();
            await s.SendJsonAsync(HostileContext.Invocation("1", "DropAllTables", "[]"));
            return await Expect.CallFails(s, "1", "Failed to invoke 'DropAllTables' due to an error on the server.");
        }),
        Case("methods", "an unknown method without invocation id (fire and forget)", async c =>
        {
            await using var s = await c.ConnectAsync();
            await s.SendJsonAsync("""{"type":1,"target":"DropAllTables","arguments":[]}""");
            return await Expect.Ignored(s);
        }),
        Case("methods", "a lifecycle method of the hub class", async c =>
        {
            await using var s = await c.ConnectAsync();
            await s.SendJsonAsync(HostileContext.Invocation("1", "OnDisconnectedAsync", "[null]"));
            return await Expect.CallFails(s, "1", "Failed to invoke 'OnDisconnectedAsync' due to an error on the server.");
        }),
        Case("methods", "a 10 KB method name", async c =>
        {
            await using var s = await c.ConnectAsync();
            await s.SendJsonAsync(HostileContext.Invocation("1", new string('m', 10 * 1024), "[]"));
            return await Expect.CallFails(s, "1", "Failed to invoke 'mmm");
        }),
    ];

    private static HostileCase[] InvocationIds =>
    [
        Case("ids", "a stream invocation of a method that does not stream", async c =>
        {
            await using var s = await c.ConnectAsync();
            await s.SendJsonAsync("""{"type":4,"invocationId":"1","target":"GetRoomMembers","arguments":[{"room":"lobby"}]}""");
            return await Expect.CallFails(s, "1", "non-streaming");
        }),
        Case("ids", "a stream id offered to a method without stream parameters", async c =>
        {
            await using var s = await c.ConnectAsync();
            await s.SendJsonAsync("""{"type":1,"invocationId":"1","target":"GetRoomMembers","arguments":[{"room":"lobby"}],"streamIds":["s1"]}""");
            return await Expect.CallFails(s, "1", "An unexpected error occurred invoking 'GetRoomMembers'");
        }),
        Case("ids", "a cancel for an invocation that does not exist", async c =>
        {
            await using var s = await c.ConnectAsync();
            await s.SendJsonAsync("""{"type":5,"invocationId":"never-started"}""");
            return await Expect.Ignored(s);
        }),
        Case("ids", "a stream item for a stream that does not exist", async c =>
        {
            await using var s = await c.ConnectAsync();
            await s.SendJsonAsync("""{"type":2,"invocationId":"no-such-stream","item":1}""");
            return await Expect.Ignored(s);
        }),
        Case("ids", "a completion for a call the server never made", async c =>
        {
            await using var s = await c.ConnectAsync();
            await s.SendJsonAsync("""{"type":3,"invocationId":"forged","result":42}""");
            return await Expect.Ignored(s);
        }),
        Case("ids", "a 10 KB invocation id", async c =>
        {
            await using var s = await c.ConnectAsync();
            var id = new string('i', 10 * 1024);
            await s.SendJsonAsync(HostileContext.Invocation(id, "GetRoomMembers", """[{"room":"lobby"}]"""));
            return await Expect.CallSucceeds(s, id);
        }),
        Case("ids", "the same invocation id twice at once", async c =>
        {
            await using var s = await c.ConnectAsync();
            var call = HostileContext.Invocation("twice", "GetRoomMembers", """[{"room":"lobby"}]""");
            await s.SendTextAsync(call + Sep + call + Sep);
            await s.CompletionAsync("twice");
            return await Expect.CallSucceeds(s, "twice");
        }),
        Case("ids", "an ack and a sequence message without stateful reconnect", async c =>
        {
            await using var s = await c.ConnectAsync();
            await s.SendJsonAsync("""{"type":8,"sequenceId":1000000}""");
            await s.SendJsonAsync("""{"type":9,"sequenceId":-5}""");
            return await Expect.Ignored(s);
        }),
        Case("ids", "the client sends a close message", async c =>
        {
            await using var s = await c.ConnectAsync();
            await s.SendJsonAsync("""{"type":7,"error":"I am the server now"}""");
            return await Expect.Closed(s, closeError: null);
        }),
    ];
}
