using System.Net.Http.Headers;
using System.Text;
using Hubs.Contracts;
using Hubs.Tests.Infrastructure;

namespace Hubs.Tests.Hostile;

/// <summary>What a hostile case may use: the server's address, fresh identities, raw sockets and raw HTTP.</summary>
public sealed class HostileContext(HostileServerFixture server)
{
    public const string Separator = "\u001e";

    public Uri Address => server.Address;

    /// <summary>A token for a fresh user, so no case shares per-user state with another.</summary>
    public string Token() => server.Token(Names.User("mallory"));

    /// <summary>A raw connection after a successful handshake (JSON or MessagePack).</summary>
    public Task<HostileSocket> ConnectAsync(string protocol = "json") => HostileSocket.ConnectAsync(Address, Token(), protocol);

    /// <summary>A raw WebSocket before any handshake.</summary>
    public Task<HostileSocket> OpenAsync() => HostileSocket.OpenAsync(Address, Token());

    public HttpClient Http(bool authenticated = true)
    {
        var http = server.Http();
        if (authenticated)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token());
        }
        return http;
    }

    /// <summary>A JSON invocation written by hand, so its fields can be anything.</summary>
    public static string Invocation(string id, string target, string argumentsJson) =>
        $$"""{"type":1,"invocationId":"{{id}}","target":"{{target}}","arguments":{{argumentsJson}}}""";

    /// <summary>Negotiates a connection over HTTP and returns its connection token.</summary>
    public async Task<string> NegotiateAsync(HttpClient http)
    {
        using var response = await http.PostAsync(HubRoutes.Chat + "/negotiate?negotiateVersion=1", null);
        response.EnsureSuccessStatusCode();
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("connectionToken").GetString()!;
    }

    public static StringContent Text(string body) => new(body, Encoding.UTF8, "text/plain");
}
