using System.Collections.Concurrent;
using System.Net.Http.Json;
using Hubs.Client;
using Hubs.Contracts;
using Microsoft.AspNetCore.Http.Connections;

namespace Hubs.Bench;

/// <summary>Opens the bench's typed clients against a cluster: a few at a time, spread over its instances.</summary>
internal sealed class BenchClients(BenchOptions options, BenchCluster cluster)
{
    /// <summary>Connects at once; more would mostly queue in the servers' accept and JWT paths.</summary>
    private const int Parallel = 16;

    private readonly ConcurrentDictionary<(Uri, string), Task<string>> _tokens = new();

    /// <summary>
    /// Connects <paramref name="count"/> clients; client i uses instance i mod instances (so every room of
    /// consecutive members has members on each), user i / connectionsPerUser, and joins <paramref name="roomOf"/>(i) if any.
    /// </summary>
    /// <remarks><paramref name="connectTimes"/>, if given, records each client's time from starting to connected (and joined).</remarks>
    public async Task<BenchUser[]> ConnectAsync(int count, Func<int, string?> roomOf, Func<RunRecorder?> currentRun, int connectionsPerUser,
        RunRecorder? connectTimes = null)
    {
        using var gate = new SemaphoreSlim(Parallel);
        var connects = Enumerable.Range(0, count).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                var user = await ConnectOneAsync(i, roomOf(i), currentRun, connectionsPerUser);
                connectTimes?.Delivered(started);
                return user;
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        try
        {
            return await Task.WhenAll(connects);
        }
        catch
        {
            // Those that did connect must not outlive the failure.
            await Task.WhenAll(connects.Where(c => c.IsCompletedSuccessfully).Select(c => c.Result.DisposeAsync().AsTask()));
            throw;
        }
    }

    private async Task<BenchUser> ConnectOneAsync(int index, string? room, Func<RunRecorder?> currentRun, int connectionsPerUser)
    {
        var server = cluster.ServerUrls[index % cluster.ServerUrls.Count];
        var name = $"bench-{index / connectionsPerUser}";
        // The plain reference has no authentication.
        var token = cluster.Setup.Plain ? null : await _tokens.GetOrAdd((server, name), key => TokenAsync(key.Item1, key.Item2));
        var client = new ChatClient(new HubClientOptions
        {
            ServerUrl = server,
            Protocol = options.Protocol,
            Transports = HttpTransportType.WebSockets,
            AccessTokenProvider = () => Task.FromResult(token),
        });
        var user = new BenchUser(name, client, currentRun);
        client.Subscribe(user);
        try
        {
            await client.StartAsync();
            if (room is not null)
            {
                await client.JoinRoomAsync(new JoinRoomRequest(room));
            }
        }
        catch
        {
            await user.DisposeAsync();
            throw;
        }
        return user;
    }

    private static async Task<string> TokenAsync(Uri server, string name)
    {
        using var http = new HttpClient { BaseAddress = server };
        using var response = await http.PostAsJsonAsync(ApiRoutes.Token, new TokenRequest(name));
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<TokenResponse>())!.AccessToken;
    }
}
