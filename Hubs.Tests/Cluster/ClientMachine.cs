using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Net.WebSockets;
using Hubs.Client;
using Hubs.Contracts;
using Microsoft.AspNetCore.Http.Connections;

namespace Hubs.Tests.Cluster;

/// <summary>
/// A client machine, simulated by a loopback source address (127.0.0.2, 127.0.0.3, ...). nginx picks the instance
/// by client address, so every connection made from one machine — negotiate, WebSocket, SSE or long polls —
/// reaches the same instance, and machines with different addresses spread over the cluster.
/// </summary>
public sealed class ClientMachine(IPAddress address)
{
    public IPAddress Address { get; } = address;

    /// <summary>An HTTP handler whose connections all leave from this machine's address.</summary>
    public SocketsHttpHandler CreateHandler() => new()
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(Address, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    public HttpClient CreateHttpClient(Uri baseAddress) => new(CreateHandler()) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>Logs in through <paramref name="server"/> with the dev token endpoint, like a user would.</summary>
    public async Task<string> GetTokenAsync(Uri server, string userName)
    {
        using var http = CreateHttpClient(server);
        using var response = await http.PostAsJsonAsync(ApiRoutes.Token, new TokenRequest(userName, []));
        response.EnsureSuccessStatusCode();
        var token = await response.Content.ReadFromJsonAsync<TokenResponse>();
        return token!.AccessToken;
    }

    /// <summary>Typed-client options whose every request, WebSocket included, comes from this machine.</summary>
    public HubClientOptions HubOptions(Uri server, string token, HttpTransportType transport, HubProtocolKind protocol) => new()
    {
        ServerUrl = server,
        Protocol = protocol,
        Transports = transport,
        AccessTokenProvider = () => Task.FromResult<string?>(token),
        ConfigureHttpConnection = http =>
        {
            http.HttpMessageHandlerFactory = _ => CreateHandler();
            // A custom WebSocket factory must carry the token itself.
            http.WebSocketFactory = async (context, cancellationToken) =>
            {
                var socket = new ClientWebSocket();
                socket.Options.SetRequestHeader("Authorization", $"Bearer {token}");
                await socket.ConnectAsync(context.Uri, new HttpMessageInvoker(CreateHandler()), cancellationToken);
                return socket;
            };
        },
    };

    public override string ToString() => Address.ToString();
}
