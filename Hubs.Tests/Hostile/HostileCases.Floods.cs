using System.Net.WebSockets;
using System.Text;

namespace Hubs.Tests.Hostile;

public static partial class HostileCases
{
    private const int FloodCalls = 2_000;

    private static HostileCase[] Floods =>
    [
        Case("flood", $"{FloodCalls} unknown-method calls as fast as the socket takes them", async c =>
        {
            await using var s = await c.ConnectAsync();
            await SendInBatchesAsync(s, i => HostileContext.Invocation($"u{i}", "NoSuchMethod", "[]"));
            return await AnsweredOrClosedAsync(s, FloodCalls);
        }),
        Case("flood", $"{FloodCalls} valid calls as fast as the socket takes them", async c =>
        {
            await using var s = await c.ConnectAsync();
            await SendInBatchesAsync(s, i => HostileContext.Invocation($"v{i}", "GetRoomMembers", """[{"room":"lobby"}]"""));
            return await AnsweredOrClosedAsync(s, FloodCalls);
        }),
        Case("flood", $"{FloodCalls} fire-and-forget unknown calls", async c =>
        {
            await using var s = await c.ConnectAsync();
            await SendInBatchesAsync(s, _ => """{"type":1,"target":"NoSuchMethod","arguments":[]}""");
            return await IgnoredOrClosedAsync(s);
        }),
        Case("flood", "5,000 pings", async c =>
        {
            await using var s = await c.ConnectAsync();
            for (var batch = 0; batch < 50; batch++)
            {
                await s.SendTextAsync(string.Concat(Enumerable.Repeat("""{"type":6}""" + Sep, 100)));
            }
            return await Expect.Ignored(s);
        }),
        Case("flood", "100 sockets dropped in the middle of the handshake", async c =>
        {
            for (var i = 0; i < 100; i++)
            {
                var s = await c.OpenAsync();
                await s.SendTextAsync("""{"protocol":"js""");
                await s.DisposeAsync();
            }
            await using var after = await c.ConnectAsync();
            await after.ProbeAsync();
            return "all dropped; a new connection still works";
        }),
    ];

    /// <summary>Sends <see cref="FloodCalls"/> messages, 100 to a WebSocket frame.</summary>
    private static async Task SendInBatchesAsync(HostileSocket socket, Func<int, string> message)
    {
        for (var start = 0; start < FloodCalls; start += 100)
        {
            var batch = new StringBuilder();
            for (var i = start; i < start + 100; i++)
            {
                batch.Append(message(i)).Append(Sep[0]);
            }
            try
            {
                await socket.SendTextAsync(batch.ToString());
            }
            catch (WebSocketException)
            {
                return; // The server closed the flood; what it said is read next.
            }
        }
    }

    /// <summary>
    /// Floods may be answered call by call (errors or results) or the server may close the connection for
    /// abuse; both keep the server healthy. Which one happened is reported, and an answered flood must leave
    /// the connection usable.
    /// </summary>
    private static async Task<string> AnsweredOrClosedAsync(HostileSocket socket, int calls)
    {
        int answered = 0, errors = 0;
        try
        {
            while (answered < calls)
            {
                var reply = await socket.NextAsync();
                if (reply is null || reply.Type == HubReply.Close)
                {
                    return $"closed after {answered} answers ({errors} errors){(reply?.Error is { } error ? $": \"{error}\"" : "")}";
                }
                if (reply.Type == HubReply.Completion)
                {
                    answered++;
                    errors += reply.Error is null ? 0 : 1;
                }
            }
        }
        catch (WebSocketException e)
        {
            return $"aborted after {answered} answers ({e.WebSocketErrorCode})";
        }
        await socket.ProbeAsync();
        return $"all {calls} answered ({errors} errors); connection still usable";
    }

    private static async Task<string> IgnoredOrClosedAsync(HostileSocket socket)
    {
        try
        {
            return await Expect.Ignored(socket);
        }
        catch (InvalidOperationException e) when (socket.State != WebSocketState.Open)
        {
            return "closed: " + e.Message;
        }
    }
}
