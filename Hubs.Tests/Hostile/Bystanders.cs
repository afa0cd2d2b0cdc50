using Hubs.Contracts;
using Hubs.Tests.Infrastructure;

namespace Hubs.Tests.Hostile;

/// <summary>Two well-behaved typed clients that chat while a hostile case runs, and check that nothing they sent was lost.</summary>
public static class Bystanders
{
    /// <summary>Each bystander sends at least this many messages per case, and at most the larger bound.</summary>
    private const int MinMessagesPerCase = 3;
    private const int MaxMessagesPerCase = 200;

    /// <summary>
    /// Runs one case while Alice posts to a room and Bob to everyone; then checks that every message they sent
    /// arrived, in order, and that the server still answers its health check. Returns the case's outcome line.
    /// </summary>
    public static async Task<string> RunWhileTheyChatAsync(HostileServerFixture server, HostileCase hostile, ChatSession alice, ChatSession bob)
    {
        var room = Names.Room("calm");
        // A failed case may have left messages unread; each case compares only what was sent during it.
        alice.Events.Messages.Drain();
        bob.Events.RoomMessages.Drain();
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await bob.Client.JoinRoomAsync(new JoinRoomRequest(room));

        var attack = Task.Run(() => hostile.Run(new HostileContext(server)));
        var (roomSent, globalSent) = await ChatDuringAsync(alice, bob, room, attack);
        var outcome = await attack.WaitAsync(2 * Timeouts.Default);

        var roomReceived = await bob.Events.RoomMessages.ReadThroughAsync(m => m.Id == roomSent[^1]);
        Assert.Equal(roomSent, roomReceived.Where(m => m.Room == room).Select(m => m.Id));
        var globalReceived = await alice.Events.Messages.ReadThroughAsync(m => m.Id == globalSent[^1]);
        Assert.Equal(globalSent, globalReceived.Select(m => m.Id));
        using var http = server.Http();
        using var health = await http.GetAsync("/health/live");
        health.EnsureSuccessStatusCode();

        await alice.Client.LeaveRoomAsync(new LeaveRoomRequest(room));
        await bob.Client.LeaveRoomAsync(new LeaveRoomRequest(room));
        return $"{outcome} (meanwhile {roomSent.Count} room and {globalSent.Count} global messages, all delivered)";
    }

    /// <summary>Alice posts to the room and Bob to everyone, each awaiting the ack, until the attack is over.</summary>
    private static async Task<(List<long> Room, List<long> Global)> ChatDuringAsync(ChatSession alice, ChatSession bob, string room, Task attack)
    {
        var roomSent = new List<long>();
        var globalSent = new List<long>();
        while (roomSent.Count < MinMessagesPerCase || (!attack.IsCompleted && roomSent.Count < MaxMessagesPerCase))
        {
            var text = $"calm {roomSent.Count}";
            roomSent.Add((await alice.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, text)).WaitAsync(Timeouts.Default)).Id);
            globalSent.Add((await bob.Client.SendMessageAsync(new SendMessageRequest(text)).WaitAsync(Timeouts.Default)).Id);
        }
        return (roomSent, globalSent);
    }
}
