using System.Globalization;
using Hubs.Contracts;
using Hubs.Server.Limits;
using Hubs.Tests.Hostile;
using Hubs.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Hubs.Tests.Limits;

/// <summary>
/// A typed client (stateful reconnect on) that stops reading, under the smallest slow-reader limit: SignalR's buffer of
/// unacknowledged messages also counts what the guard has handed on (pipes, kernel buffers), so unless it is sized for
/// those too it fills before the guard's limit is reached, and the room's sends wait on the stuck client instead.
/// </summary>
public sealed class StatefulSlowReaderSmallLimitTests(SmallSlowReaderLimitServer server, ITestOutputHelper output)
    : IClassFixture<SmallSlowReaderLimitServer>
{
    private const int MaxSends = 200;

    [Fact]
    public async Task AStatefulReceiverThatStopsReadingIsDroppedByTheGuardEvenUnderTheSmallestLimit()
    {
        var room = Names.Room("slow");
        await using var relay = LoopbackTcpRelay.Start(server.Address, serverReceiveBufferBytes: 4096);
        await using var sender = await server.ConnectChatAsync(Names.User("sender"));
        var receiverName = Names.User("receiver");
        await using var receiver = await RelayedChat.ConnectAsync(server, relay, receiverName);
        var connectionId = receiver.Client.ConnectionId!;
        await sender.Client.JoinRoomAsync(new JoinRoomRequest(room)).WaitAsync(Timeouts.Default);
        await receiver.Client.JoinRoomAsync(new JoinRoomRequest(room)).WaitAsync(Timeouts.Default);
        var monitor = server.App.Services.GetRequiredService<SlowConsumerMonitor>();
        using var watch = new DropWatch(monitor, connectionId);
        try
        {
            relay.PauseServerToClient();
            var text = new string('x', HostileServerFixture.MaxMessageLength);
            var sends = 0;
            while (!watch.Dropped.IsCompleted && sends < MaxSends)
            {
                await sender.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, text)).WaitAsync(Timeouts.Default);
                sends++;
            }

            Assert.True(watch.Dropped.IsCompleted, $"{sends} messages of {text.Length} characters and the slow-reader guard never acted.");
            var drop = await watch.Dropped;
            output.WriteLine($"Dropped after {sends} messages with {drop.BufferedBytes} bytes waiting (limit {drop.Limit}).");
            Assert.Equal(SmallSlowReaderLimitServer.Limit, drop.Limit);
        }
        finally
        {
            relay.ResumeServerToClient();
        }
    }
}

/// <summary>The hostile suite's server with the smallest slow-reader limit the options allow.</summary>
public sealed class SmallSlowReaderLimitServer() : HostileServerFixture(new Dictionary<string, string?>
{
    ["SlowConsumers:MaxBufferedBytes"] = Limit.ToString(CultureInfo.InvariantCulture),
})
{
    public const int Limit = 16 * 1024;
}
