using Hubs.Client;
using Hubs.Contracts;
using Hubs.Server.Limits;
using Hubs.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Hubs.Tests.Hostile;

[Collection(HostileCollection.Name)]
public sealed class SlowReaderTests(HostileServerFixture server, ITestOutputHelper output)
{
    /// <summary>
    /// Far more than a stuck client can soak up (kernel buffers, SignalR's 64 KiB pipe and the guard's limit
    /// together stay well under a few MB), so without a guard the sender's acks would stall long before this.
    /// </summary>
    private const int MaxSends = 2_000;

    /// <summary>A room message with the longest ASCII text, as JSON on the wire, with room for its envelope.</summary>
    private const int MaxMessageBytes = HostileServerFixture.MaxMessageLength + 1024;

    [Fact]
    public async Task AReaderThatNeverReadsIsDroppedWhileTheSenderKeepsGettingAcksAndMembersEveryMessage()
    {
        var room = Names.Room("slow");
        await using var sender = await server.ConnectChatAsync(Names.User("sender"));
        await using var member = await server.ConnectChatAsync(Names.User("member"), HubProtocolKind.MessagePack);
        await sender.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await member.Client.JoinRoomAsync(new JoinRoomRequest(room));
        var stuckUser = Names.User("stuck");
        // A tiny kernel receive buffer so the stuck client pushes back after kilobytes, not megabytes.
        await using var stuck = await HostileSocket.ConnectAsync(server.Address, server.Token(stuckUser), receiveBufferBytes: 4096);
        var stuckConnection = await stuck.WelcomeConnectionIdAsync();
        await stuck.SendJsonAsync($$"""{"type":1,"invocationId":"join","target":"JoinRoom","arguments":[{"room":"{{room}}"}]}""");
        await stuck.CompletionAsync("join");
        await member.Events.UserJoined.NextAsync(e => e.Room == room && e.User.Id == stuckUser);

        var monitor = server.App.Services.GetRequiredService<SlowConsumerMonitor>();
        using var watch = new DropWatch(monitor, stuckConnection);

        // From here on the stuck client never reads its socket; it keeps pinging, so the server's client
        // timeout never closes it: only the slow-consumer guard can.
        var stuckDropped = member.Events.UserLeft.NextAsync(e => e.Room == room && e.User.Id == stuckUser, TimeSpan.FromMinutes(2));
        var text = new string('x', HostileServerFixture.MaxMessageLength);
        var sent = new List<long>();
        var loop = System.Diagnostics.Stopwatch.StartNew();
        var slowestAck = TimeSpan.Zero;
        long peakBuffered = 0;
        while (!stuckDropped.IsCompleted && sent.Count < MaxSends)
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var ack = await sender.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, text)).WaitAsync(Timeouts.Default);
            sent.Add(ack.Id);
            if (monitor.BufferedBytes(stuckConnection) is { } buffered)
            {
                peakBuffered = Math.Max(peakBuffered, buffered);
            }
            if (!watch.Dropped.IsCompleted)
            {
                await stuck.SendJsonAsync("""{"type":6}""");
            }
            var took = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            slowestAck = took > slowestAck ? took : slowestAck;
        }
        await stuckDropped;
        var drop = await watch.Dropped.WaitAsync(Timeouts.Default);
        var received = await member.Events.RoomMessages.ReadThroughAsync(m => m.Id == sent[^1]);

        output.WriteLine($"{sent.Count} messages of {text.Length} characters sent before the stuck reader was dropped; slowest ack {slowestAck.TotalMilliseconds:0} ms, all in {loop.ElapsedMilliseconds} ms.");
        output.WriteLine($"Dropped with {drop.BufferedBytes} bytes waiting (limit {drop.Limit}); peak seen between sends {peakBuffered}.");
        Assert.Equal(sent, received.Select(m => m.Id));
        // Memory bound: the server never held more for the stuck client than the limit plus the one message that crossed it.
        Assert.Equal(HostileServerFixture.SlowConsumerLimit, drop.Limit);
        Assert.InRange(drop.BufferedBytes, HostileServerFixture.SlowConsumerLimit + 1, HostileServerFixture.SlowConsumerLimit + MaxMessageBytes);
        Assert.InRange(peakBuffered, 0, HostileServerFixture.SlowConsumerLimit);
        // Nothing is kept for it: its guard discards (or the monitor has forgotten it already, which happens only
        // once SignalR's handler returns, possibly a moment after its UserLeft went out).
        Assert.Equal(0, monitor.BufferedBytes(stuckConnection) ?? 0);
        await Eventually.HoldsAsync(() => Task.FromResult(monitor.BufferedBytes(stuckConnection) is null), "the monitor forgot the dropped connection");
        var end = await stuck.ClosedAsync();
        output.WriteLine($"The stuck client, reading at last: {end}.");
        Assert.False(end.SawCloseMessage);
    }
}
