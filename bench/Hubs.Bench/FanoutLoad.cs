using System.Diagnostics;
using Hubs.Contracts;

namespace Hubs.Bench;

/// <summary>
/// room-fanout (rooms x members, one sender per room, room messages) or broadcast (all clients receive one
/// sender's global messages); the events are deliveries. Senders alternate between the instances.
/// </summary>
internal sealed class FanoutLoad(string scenario, BenchCluster cluster, BenchClients clients, int rooms, int members, double rate, bool broadcast,
    int connectionsPerUser = 1) : IWorkload
{
    private BenchUser[] _users = [];
    private RunRecorder? _current;
    private int _nextRun;

    public BenchCluster Cluster => cluster;

    private int Senders => broadcast ? 1 : rooms;

    private int RecipientsPerMessage => broadcast ? _users.Length : members;

    private static string RoomName(int room) => $"bench-room-{room}";

    public async Task ConnectAsync() =>
        _users = await clients.ConnectAsync(rooms * members, i => broadcast ? null : RoomName(i / members), () => Volatile.Read(ref _current),
            connectionsPerUser);

    public async Task<RunResult> RunAsync(TimeSpan duration, int runNumber)
    {
        var run = Interlocked.Increment(ref _nextRun);
        var planned = ((int)Math.Ceiling(duration.TotalSeconds * rate) + 1) * Senders * RecipientsPerMessage;
        var recorder = new RunRecorder(run, planned);
        Volatile.Write(ref _current, recorder);

        var meter = RunMeter.Start(cluster);
        var sends = await Task.WhenAll(Enumerable.Range(0, Senders).Select(s => SendAsync(s, run, duration)));
        var sendingTime = meter.Elapsed;
        var expected = sends.Sum(s => s.Acked) * RecipientsPerMessage;
        // Deliveries still in flight when sending stops; anything missing after this is lost.
        var drainDeadline = Stopwatch.StartNew();
        while (recorder.Deliveries < expected && drainDeadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20);
        }
        var cpu = meter.Stop();
        var (p50, p99, max) = recorder.Latency();
        return new RunResult(scenario, cluster.Setup.Name, runNumber, runNumber == 0, recorder.Deliveries, expected,
            sends.Sum(s => s.Failed), recorder.Duplicates, recorder.Deliveries / sendingTime.TotalSeconds, p50, p99, max,
            cpu.Servers, cpu.Redis, cpu.Bench, cpu.OtherCores, cluster.Rss(), cluster.Setup.Redis);
    }

    public async ValueTask DisposeAsync() => await Task.WhenAll(_users.Select(u => u.DisposeAsync().AsTask()));

    /// <summary>One sender at the configured rate; senders are phase-shifted so their messages do not bunch up.</summary>
    private async Task<(int Acked, int Failed)> SendAsync(int sender, int run, TimeSpan duration)
    {
        var interval = TimeSpan.FromSeconds(1 / rate);
        // Member (room mod members) of each room: with two instances, consecutive rooms' senders are on different ones.
        var user = _users[broadcast ? 0 : (sender * members) + (sender % members)];
        var room = RoomName(sender);
        var clock = Stopwatch.StartNew();
        var pending = new List<Task>();
        for (var i = 0; ; i++)
        {
            var due = interval * (i + ((double)sender / Senders));
            if (due >= duration)
            {
                break;
            }
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }
            var text = BenchUser.Text(run, Stopwatch.GetTimestamp());
            pending.Add(broadcast
                ? user.Client.SendMessageAsync(new SendMessageRequest(text))
                : user.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, text)));
        }
        try
        {
            await Task.WhenAll(pending);
        }
        catch (Exception)
        {
            // Counted below, per send.
        }
        return (pending.Count(t => t.IsCompletedSuccessfully), pending.Count(t => !t.IsCompletedSuccessfully));
    }
}
