using System.Diagnostics;
using Hubs.Client;
using Hubs.Contracts;
using Hubs.Tests.Client;
using Hubs.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Hubs.Tests.Lifetime;

/// <summary>SIGTERM to a real server process while a typed client (stateful reconnect on) is connected.</summary>
public sealed class GracefulStopTests
{
    /// <summary>
    /// Far below what the bug costs here and far above what the fix takes (~0.3 s). Without the fix the stop lasts until
    /// the client's next frame: the test stops an idle client, whose next frame is its keep-alive ping, 15 s after its
    /// last call, so the stop takes ~13 s.
    /// </summary>
    private static readonly TimeSpan s_stopBound = TimeSpan.FromSeconds(5);

    [Theory]
    [InlineData("true")]
    [InlineData("false")]
    public async Task StoppingTheServerSendsAConnectedStatefulClientACloseMessageSoItReconnectsAndTheProcessExitsWithoutWaitingForTheClientsPing(string slowConsumerGuard)
    {
        await using var server = await ServerProcess.StartAsync(new Dictionary<string, string?> { ["SlowConsumers:Enabled"] = slowConsumerGuard });
        var clientLogs = new CapturingLoggerProvider();
        var userName = Names.User("alice");
        var token = await KestrelClients.GetTokenAsync(server.BaseAddress, userName);
        var options = KestrelClients.Options(server.BaseAddress, token);
        options.Reconnect = ResilientChat.FastForever;
        options.ConfigureLogging = logging => logging.AddProvider(clientLogs).SetMinimumLevel(LogLevel.Debug);
        await using var alice = new ResilientChat(userName, options, new GatedTokenProvider(() => token));
        await alice.StartAsync();
        // A call just before the stop: the connection works, and the client's next ping is 15 s away.
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(Names.Room()));
        // With stateful reconnect the client acknowledges what it received about a second later, and any frame from the
        // client would end the bug's wait early: stop once that acknowledgement is out, so the client has nothing to say.
        await clientLogs.WaitUntilAsync(HasAnsweredEverything, "the client sent a frame after the last one it received");

        var stopping = Stopwatch.StartNew();
        await server.StopAsync();
        var stopTook = stopping.Elapsed;

        // Told, not dropped: SignalR's client logs the hub's close message (a lost or merely closed transport does not).
        await clientLogs.WaitForAsync(
            record => record.Category == "Microsoft.AspNetCore.SignalR.Client.HubConnection" && record.Message == "Received close message.",
            "the client received the server's close message");
        await alice.NextStateAsync<DisconnectedEvent>();
        var retry = await alice.NextStateAsync<ReconnectingEvent>();
        Assert.Equal(1, retry.Attempt);
        Assert.True(stopTook < s_stopBound, $"The stop took {stopTook.TotalSeconds:F1} s.\n{server.Output}");
    }

    // SignalR's client WebSocket transport logs every frame both ways at Debug.
    private const string ClientTransport = "Microsoft.AspNetCore.Http.Connections.Client.Internal.WebSocketsTransport";

    private static bool HasAnsweredEverything(IReadOnlyList<LogRecord> records)
    {
        var lastSent = -1;
        var lastReceived = -1;
        for (var i = 0; i < records.Count; i++)
        {
            if (IsFrameSent(records[i]))
            {
                lastSent = i;
            }
            else if (IsFrameReceived(records[i]))
            {
                lastReceived = i;
            }
        }
        return lastSent > lastReceived;
    }

    private static bool IsFrameSent(LogRecord record) =>
        record.Category == ClientTransport && record.Message.StartsWith("Received message from application.", StringComparison.Ordinal);

    private static bool IsFrameReceived(LogRecord record) =>
        record.Category == ClientTransport && record.Message.StartsWith("Message received.", StringComparison.Ordinal);
}
