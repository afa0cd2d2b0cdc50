using Hubs.Client;
using Hubs.Server.Auth;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Hubs.Tests.Infrastructure;

/// <summary>
/// The real server on an in-memory TestServer, with real tokens signed by the server's own key.
/// Settings can be overridden per fixture; clients connect over TestServer WebSockets or long polling.
/// </summary>
public class HubsApplication : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings = new(StringComparer.OrdinalIgnoreCase);

    public HubsApplication()
    {
    }

    protected HubsApplication(IDictionary<string, string?> settings, string environment)
    {
        foreach (var (key, value) in settings)
        {
            _settings[key] = value;
        }
        Environment = environment;
    }

    public string Environment { get; } = "Development";

    /// <summary>A separate server with configuration overrides (e.g. <c>["Rooms:HistoryLength"] = "3"</c>).</summary>
    public static HubsApplication With(IDictionary<string, string?> settings, string environment = "Development") =>
        new(settings, environment);

    /// <summary>A separate server with one setting overridden, or with the defaults when <paramref name="value"/> is null.</summary>
    public static HubsApplication With(string key, string? value) =>
        With(value is null ? new Dictionary<string, string?>() : new Dictionary<string, string?> { [key] = value });

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environment);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>The key the server signs and validates tokens with.</summary>
    public string SigningKey => Services.GetRequiredService<IOptions<AuthOptions>>().Value.SigningKey!;

    /// <summary>A token signed by the server's key, exactly as <c>POST /api/auth/token</c> would issue it.</summary>
    public string CreateToken(string userName, IEnumerable<string>? roles = null, TimeSpan? lifetime = null) =>
        Services.GetRequiredService<DevTokenIssuer>().Issue(userName, roles ?? [], lifetime).Token;

    /// <summary>Client options that reach this TestServer; the token is minted for <paramref name="userName"/>.</summary>
    public HubClientOptions HubOptionsFor(string? userName, HubProtocolKind protocol = HubProtocolKind.Json,
        HttpTransportType transport = HttpTransportType.WebSockets, string? token = null)
    {
        var server = Server;
        var accessToken = token ?? (userName is null ? null : CreateToken(userName));
        return new HubClientOptions
        {
            ServerUrl = server.BaseAddress,
            Protocol = protocol,
            Transports = transport,
            AccessTokenProvider = () => Task.FromResult(accessToken),
            ConfigureHttpConnection = http =>
            {
                http.HttpMessageHandlerFactory = _ => server.CreateHandler();
                http.WebSocketFactory = async (context, cancellationToken) =>
                {
                    // A custom WebSocket factory must carry the token itself.
                    var client = server.CreateWebSocketClient();
                    if (accessToken is not null)
                    {
                        client.ConfigureRequest = request => request.Headers.Authorization = $"Bearer {accessToken}";
                    }
                    return await client.ConnectAsync(context.Uri, cancellationToken);
                };
            },
        };
    }

    /// <summary>A started chat client for <paramref name="userName"/> with its events recorded.</summary>
    public async Task<ChatSession> ConnectChatAsync(string userName, HubProtocolKind protocol = HubProtocolKind.Json,
        HttpTransportType transport = HttpTransportType.WebSockets)
    {
        var client = new ChatClient(HubOptionsFor(userName, protocol, transport));
        var session = new ChatSession(userName, client);
        await client.StartAsync().WaitAsync(Timeouts.Default);
        await session.Events.Welcome.NextAsync();
        return session;
    }

    /// <summary>
    /// As <see cref="ConnectChatAsync"/>, once the server has a connection slot for the user again: a closed
    /// connection's slot is released by the server's disconnect handling, which the client does not wait for, so a
    /// connect the limit refuses is tried again (each one awaited, all within <see cref="Timeouts.Default"/>).
    /// </summary>
    public async Task<ChatSession> ConnectChatWhenFreedAsync(string userName)
    {
        using var deadline = new CancellationTokenSource(Timeouts.Default);
        while (true)
        {
            var session = new ChatSession(userName, new ChatClient(HubOptionsFor(userName)));
            try
            {
                await session.Client.StartAsync(deadline.Token);
                await session.Events.Welcome.NextAsync();
                return session;
            }
            catch (HubConnectionLostException) when (!deadline.IsCancellationRequested)
            {
                await session.DisposeAsync();
            }
            catch
            {
                await session.DisposeAsync();
                throw;
            }
        }
    }
}
