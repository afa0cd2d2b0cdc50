using System.Net.Http.Headers;
using System.Net.Http.Json;
using Hubs.Client;
using Hubs.Contracts;
using Microsoft.AspNetCore.Http.Connections;

namespace Hubs.Tests.Infrastructure;

/// <summary>Clients of a real <see cref="ServerProcess"/>, logged in through its dev token endpoint like a user would.</summary>
public static class KestrelClients
{
    public static async Task<string> GetTokenAsync(Uri server, string userName, params string[] roles)
    {
        using var http = new HttpClient { BaseAddress = server };
        using var response = await http.PostAsJsonAsync(ApiRoutes.Token, new TokenRequest(userName, roles));
        response.EnsureSuccessStatusCode();
        var token = await response.Content.ReadFromJsonAsync<TokenResponse>();
        return token!.AccessToken;
    }

    /// <summary>An HTTP client of the server signed in with the admin role, for the REST API.</summary>
    public static async Task<HttpClient> AdminHttpClientAsync(ServerProcess server)
    {
        var http = new HttpClient { BaseAddress = server.BaseAddress };
        var token = await GetTokenAsync(server.BaseAddress, Names.User("admin"), NotificationTestExtensions.AdminRoles);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    public static HubClientOptions Options(Uri server, string token, HubProtocolKind protocol = HubProtocolKind.Json,
        HttpTransportType transport = HttpTransportType.WebSockets) => new()
        {
            ServerUrl = server,
            Protocol = protocol,
            Transports = transport,
            AccessTokenProvider = () => Task.FromResult<string?>(token),
        };

    public static async Task<ChatSession> ConnectChatAsync(ServerProcess server, string userName, HubProtocolKind protocol = HubProtocolKind.Json)
    {
        var token = await GetTokenAsync(server.BaseAddress, userName);
        var session = new ChatSession(userName, new ChatClient(Options(server.BaseAddress, token, protocol)));
        await session.Client.StartAsync().WaitAsync(Timeouts.Default);
        await session.Events.Welcome.NextAsync();
        return session;
    }
}
