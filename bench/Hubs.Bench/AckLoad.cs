using System.Diagnostics;
using Hubs.Contracts;

namespace Hubs.Bench;

/// <summary>
/// ack-rtt: every client is alone in its own room and sends room messages at a fixed rate, each awaiting its ack
/// before the next; the events are acks and the latency is the round trip of one send.
/// </summary>
internal sealed class AckLoad(BenchCluster cluster, BenchClients clients, int count, double rate) : IWorkload
{
    private BenchUser[] _users = [];
    private int _nextRun;

    public BenchCluster Cluster => cluster;

    private static string RoomName(int client) => $"bench-ack-{client}";

    // The echo of each message to its sender is not an event here: no recorder for deliveries.
    public async Task ConnectAsync() => _users = await clients.ConnectAsync(count, RoomName, () => null, connectionsPerUser: 1);

    public async Task<RunResult> RunAsync(TimeSpan duration, int runNumber)
    {
        var run = Interlocked.Increment(ref _nextRun);
        var recorder = new RunRecorder(run, ((int)Math.Ceiling(duration.TotalSeconds * rate) + 1) * count);
        var meter = RunMeter.Start(cluster);
        var sends = await Task.WhenAll(_users.Select((user, i) => SendAsync(user, i, recorder, duration)));
        var elapsed = meter.Elapsed;
        var cpu = meter.Stop();
        var (p50, p99, max) = recorder.Latency();
        var attempted = sends.Sum(s => s.Acked + s.Failed);
        return new RunResult(ScenarioNames.AckRtt, cluster.Setup.Name, runNumber, runNumber == 0, recorder.Deliveries, attempted,
            sends.Sum(s => s.Failed), 0, recorder.Deliveries / elapsed.TotalSeconds, p50, p99, max,
            cpu.Servers, cpu.Redis, cpu.Bench, cpu.OtherCores, cluster.Rss(), cluster.Setup.Redis);
    }

    public async ValueTask DisposeAsync() => await Task.WhenAll(_users.Select(u => u.DisposeAsync().AsTask()));

    /// <summary>Sends on schedule (phase-shifted per client); a late ack delays the next send, never overlaps it.</summary>
    private async Task<(int Acked, int Failed)> SendAsync(BenchUser user, int client, RunRecorder recorder, TimeSpan duration)
    {
        var interval = TimeSpan.FromSeconds(1 / rate);
        var room = RoomName(client);
        var clock = Stopwatch.StartNew();
        var (acked, failed) = (0, 0);
        for (var i = 0; ; i++)
        {
            var due = interval * (i + ((double)client / count));
            if (due >= duration)
            {
                break;
            }
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }
            var sent = Stopwatch.GetTimestamp();
            try
            {
                await user.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, BenchUser.Text(recorder.Run, sent)));
                recorder.Delivered(sent);
                acked++;
            }
            catch (Exception)
            {
                failed++;
            }
        }
        return (acked, failed);
    }
}
