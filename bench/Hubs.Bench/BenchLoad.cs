using System.Diagnostics;
using System.Net.Http.Json;
using Hubs.Client;
using Hubs.Contracts;
using Microsoft.AspNetCore.Http.Connections;

namespace Hubs.Bench;

/// <summary>
/// The bench's clients against one <see cref="BenchCluster"/>: rooms x members WebSocket connections, spread over
/// the servers so that every room has members (and senders alternate) on each instance.
/// </summary>
internal sealed class BenchLoad(BenchOptions options, BenchCluster cluster) : IAsyncDisposable
{
    private readonly List<BenchUser> _users = [];
    private RunRecorder? _current;
    private int _nextRun;

    private static string RoomName(int room) => $"bench-room-{room}";

    public async Task ConnectAsync()
    {
        using var gate = new SemaphoreSlim(16);
        var connects = new List<Task<BenchUser>>();
        for (var room = 0; room < options.Rooms; room++)
        {
            for (var member = 0; member < options.MembersPerRoom; member++)
            {
                var (r, m) = (room, member);
                connects.Add(Task.Run(async () =>
                {
                    await gate.WaitAsync();
                    try
                    {
                        return await ConnectUserAsync(r, m);
                    }
                    finally
                    {
                        gate.Release();
                    }
                }));
            }
        }
        _users.AddRange(await Task.WhenAll(connects));
    }

    /// <summary>Sends for <paramref name="duration"/>, waits for the deliveries, and measures; run 0 is the warm-up.</summary>
    public async Task<RunResult> RunAsync(string scenario, TimeSpan duration, int runNumber)
    {
        var run = Interlocked.Increment(ref _nextRun);
        var recipientsPerMessage = scenario == ScenarioNames.Fanout ? options.MembersPerRoom : _users.Count;
        var senders = scenario == ScenarioNames.Fanout ? options.Rooms : 1;
        var planned = (int)Math.Ceiling(duration.TotalSeconds * options.Rate) * senders * recipientsPerMessage;
        var recorder = new RunRecorder(run, planned + recipientsPerMessage * senders);
        Volatile.Write(ref _current, recorder);

        var cpuBefore = cluster.Cpu();
        var benchCpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var machineBefore = MachineCpu.Busy();
        var clock = Stopwatch.StartNew();
        var sends = await Task.WhenAll(Enumerable.Range(0, senders).Select(s => SendAsync(scenario, s, senders, run, duration)));
        var sendingTime = clock.Elapsed;
        var acked = sends.Sum(s => s.Acked);
        var expected = acked * recipientsPerMessage;
        // Deliveries still in flight when sending stops; anything missing after this is lost.
        var drainDeadline = Stopwatch.StartNew();
        while (recorder.Deliveries < expected && drainDeadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(20);
        }
        var cpuAfter = cluster.Cpu();
        var benchCpu = Process.GetCurrentProcess().TotalProcessorTime - benchCpuBefore;
        // Whatever else ran on the machine meanwhile (other people's builds and tests on a shared box).
        var ours = cpuAfter.Servers - cpuBefore.Servers + (cpuAfter.Redis - cpuBefore.Redis) + benchCpu;
        var otherCores = Math.Max(0, (MachineCpu.Busy() - machineBefore - ours).TotalSeconds / clock.Elapsed.TotalSeconds);
        var (p50, p99, max) = recorder.Latency();
        return new RunResult(cluster.Setup, scenario, runNumber, runNumber == 0, recorder.Deliveries, expected,
            sends.Sum(s => s.Failed), recorder.Duplicates, recorder.Deliveries / sendingTime.TotalSeconds, p50, p99, max,
            cpuAfter.Servers - cpuBefore.Servers, cpuAfter.Redis - cpuBefore.Redis, benchCpu, otherCores, cluster.Setup != SetupNames.InMemory);
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_users.Select(u => u.DisposeAsync().AsTask()));
    }

    private async Task<BenchUser> ConnectUserAsync(int room, int member)
    {
        var server = cluster.ServerUrls[(room + member) % cluster.ServerUrls.Count];
        var name = $"bench-{room}-{member}";
        string token;
        using (var http = new HttpClient { BaseAddress = server })
        {
            using var response = await http.PostAsJsonAsync(ApiRoutes.Token, new TokenRequest(name));
            response.EnsureSuccessStatusCode();
            token = (await response.Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken;
        }
        var client = new ChatClient(new HubClientOptions
        {
            ServerUrl = server,
            Protocol = options.Protocol,
            Transports = HttpTransportType.WebSockets,
            AccessTokenProvider = () => Task.FromResult<string?>(token),
        });
        var user = new BenchUser(name, client, () => Volatile.Read(ref _current));
        client.Subscribe(user);
        await client.StartAsync();
        await client.JoinRoomAsync(new JoinRoomRequest(RoomName(room)));
        return user;
    }

    /// <summary>One sender at the configured rate; senders are phase-shifted so their messages do not bunch up.</summary>
    private async Task<(int Acked, int Failed)> SendAsync(string scenario, int sender, int senders, int run, TimeSpan duration)
    {
        var interval = TimeSpan.FromSeconds(1 / options.Rate);
        var user = _users[sender * options.MembersPerRoom];
        var room = RoomName(sender);
        var clock = Stopwatch.StartNew();
        var pending = new List<Task>();
        for (var i = 0; ; i++)
        {
            var due = interval * (i + (double)sender / senders);
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
            pending.Add(scenario == ScenarioNames.Fanout
                ? user.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, text))
                : user.Client.SendMessageAsync(new SendMessageRequest(text)));
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
