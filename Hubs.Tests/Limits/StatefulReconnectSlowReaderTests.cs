using System.Diagnostics;
using Hubs.Client;
using Hubs.Contracts;
using Hubs.Server.Limits;
using Hubs.Tests.Hostile;
using Hubs.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Hubs.Tests.Limits;

/// <summary>
/// After a real stateful reconnect SignalR writes to the new socket's pipe; the slow-reader guard must be in front of
/// that one too (<see cref="GuardedReconnectFeature"/>), or a receiver that stops reading there holds up the room.
/// </summary>
/// <remarks>Its own instance of the hostile suite's server: small kernel send buffers and a 256 KiB slow-reader limit.</remarks>
public sealed class StatefulReconnectSlowReaderTests(HostileServerFixture server, ITestOutputHelper output) : IClassFixture<HostileServerFixture>
{
    /// <summary>
    /// 1.6 MB: far more than the relay, the server's pipes, the guard's limit and SignalR's own buffer of unacknowledged
    /// messages soak up together, so the receiver's connection ends well before, by the guard or otherwise.
    /// </summary>
    private const int MaxSends = 200;

    /// <summary>The relay's kernel buffer towards the server: once it stops reading, the server's writes wait after kilobytes.</summary>
    private const int RelayReceiveBuffer = 4096;

    /// <summary>A room message with the longest ASCII text, as JSON on the wire, with room for its envelope.</summary>
    private const int MaxMessageBytes = HostileServerFixture.MaxMessageLength + 1024;

    [Fact]
    public async Task AReceiverThatStopsReadingAfterAStatefulReconnectIsDroppedWhileTheSenderKeepsGettingAcksAndMembersEveryMessage()
    {
        var room = Names.Room("slow");
        await using var relay = LoopbackTcpRelay.Start(server.Address, RelayReceiveBuffer);
        await using var sender = await server.ConnectChatAsync(Names.User("sender"));
        await using var member = await server.ConnectChatAsync(Names.User("member"), HubProtocolKind.MessagePack);
        var receiverName = Names.User("receiver");
        await using var receiver = await RelayedChat.ConnectAsync(server, relay, receiverName);
        var webSocketRequest = await relay.Requests.NextAsync(line => line.StartsWith("GET ", StringComparison.Ordinal));
        var connectionId = receiver.Client.ConnectionId!;
        await sender.Client.JoinRoomAsync(new JoinRoomRequest(room)).WaitAsync(Timeouts.Default);
        await member.Client.JoinRoomAsync(new JoinRoomRequest(room)).WaitAsync(Timeouts.Default);
        await receiver.Client.JoinRoomAsync(new JoinRoomRequest(room)).WaitAsync(Timeouts.Default);
        var monitor = server.App.Services.GetRequiredService<SlowConsumerMonitor>();
        var firstGuard = monitor.GuardOf(connectionId);
        Assert.NotNull(firstGuard);

        // A real stateful reconnect: the socket is reset, the client resumes the same connection on a new one.
        Assert.NotEqual(0, relay.CutAll());
        Assert.Equal(webSocketRequest, await relay.Requests.NextAsync());
        var resumed = await sender.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "resumed")).WaitAsync(Timeouts.Default);
        await receiver.Events.RoomMessages.NextAsync(m => m.Id == resumed.Id);
        Assert.Equal([new ConnectingEvent(), new ConnectedEvent(connectionId)], receiver.History);
        // Only the new socket could have carried that message, so the server has put a guard in front of it.
        var secondGuard = monitor.GuardOf(connectionId);
        Assert.NotNull(secondGuard);
        Assert.NotSame(firstGuard, secondGuard);

        using var watch = new DropWatch(monitor, connectionId);
        try
        {
            // From here on nothing reaches the receiver, so it never acknowledges anything either. Its client keeps
            // pinging through the relay, so the server's client timeout never closes it: only a guard can.
            relay.PauseServerToClient();
            var receiverLeft = member.Events.UserLeft.NextAsync(e => e.Room == room && e.User.Id == receiverName, TimeSpan.FromMinutes(1));
            var text = new string('x', HostileServerFixture.MaxMessageLength);
            var sent = new List<long>();
            var slowestAck = TimeSpan.Zero;
            long peakBuffered = 0;
            while (!receiverLeft.IsCompleted && sent.Count < MaxSends)
            {
                var started = Stopwatch.GetTimestamp();
                var ack = await AckAsync(sender.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, text)), sent.Count + 1);
                sent.Add(ack.Id);
                slowestAck = Max(slowestAck, Stopwatch.GetElapsedTime(started));
                peakBuffered = Math.Max(peakBuffered, monitor.BufferedBytes(connectionId) ?? 0);
            }
            await receiverLeft;
            // The guard reports a drop before it cuts the connection, so if the guard cut it, the report is in by now.
            Assert.True(watch.Dropped.IsCompletedSuccessfully,
                "The receiver's connection ended, but not by the slow-reader guard: SignalR's own limits closed it after holding up the room.");
            var drop = await watch.Dropped;
            var received = await member.Events.RoomMessages.ReadThroughAsync(m => m.Id == sent[^1]);

            output.WriteLine($"{sent.Count} messages sent before the receiver was dropped, slowest ack {slowestAck.TotalMilliseconds:0} ms; " +
                $"{drop.BufferedBytes} bytes waiting (limit {drop.Limit}), peak seen between sends {peakBuffered}.");
            Assert.Equal([resumed.Id, .. sent], received.Select(m => m.Id));
            // Dropped by the new transport's guard, armed once the resend was written, and bounded like any other.
            Assert.True(secondGuard.IsDropped);
            Assert.False(firstGuard.IsDropped);
            Assert.Equal(receiverName, drop.UserId);
            Assert.Equal(HostileServerFixture.SlowConsumerLimit, drop.Limit);
            Assert.InRange(drop.BufferedBytes, HostileServerFixture.SlowConsumerLimit + 1, HostileServerFixture.SlowConsumerLimit + MaxMessageBytes);
            Assert.InRange(peakBuffered, 0, HostileServerFixture.SlowConsumerLimit);
            // Nothing is kept for it. (The monitor forgets the connection only once SignalR's handler returns, which
            // may be a moment after its UserLeft went out, so the guard itself is asked.)
            Assert.Equal(0, secondGuard.BufferedBytes);
            await Eventually.HoldsAsync(() => Task.FromResult(monitor.BufferedBytes(connectionId) is null), "the monitor forgot the dropped connection");
        }
        finally
        {
            // Whatever happened: a server write stuck behind the relay must not hold up closing the clients.
            relay.ResumeServerToClient();
        }

        // The connection is gone for good: now that the receiver reads again, its client tries to resume it, is
        // refused, and comes back as a new connection.
        Assert.Equal(webSocketRequest, await relay.Requests.NextAsync());
        var back = await receiver.NextStateAsync<ReconnectedEvent>();
        Assert.NotEqual(connectionId, back.ConnectionId);
    }

    /// <summary>
    /// The sender's ack. Unguarded, a send to the room waits for the stuck socket until SignalR gives up on that
    /// connection, seconds later. (Acks do pause up to a second now and then, guard or not: the sender's own client
    /// keeps at most 100 KB of what it sent until the server acknowledges it, which the server does once a second.)
    /// </summary>
    private static async Task<MessageAck> AckAsync(Task<MessageAck> send, int number)
    {
        try
        {
            return await send.WaitAsync(Timeouts.Default);
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException(
                $"No ack for room message {number} within {Timeouts.Default}: the send to the room waits for the receiver that stopped reading.", e);
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
