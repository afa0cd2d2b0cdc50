using System.Globalization;
using System.Net;
using Hubs.Client;
using Hubs.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.DependencyInjection;

namespace Hubs.Tests.Hostile;

/// <summary>
/// One real Kestrel server on 127.0.0.1 (in this process, so the tests can read its slow-consumer counters) shared
/// by every hostile-input test. Call limits are high so well-behaved chatters are never throttled and floods
/// reach the hub; the hostile cases must hold up without relying on the rate limiter.
/// </summary>
public class HostileServerFixture : IAsyncLifetime
{
    /// <summary>Bytes the server may hold for one connection that does not read (the guard's limit).</summary>
    public const int SlowConsumerLimit = 256 * 1024;

    /// <summary>Longest chat text this server accepts; the slow-reader test sends texts this long.</summary>
    public const int MaxMessageLength = 8000;

    public HostileServerFixture()
        : this(new Dictionary<string, string?>())
    {
    }

    /// <summary>The same server with some settings changed.</summary>
    protected HostileServerFixture(IReadOnlyDictionary<string, string?> overrides) => App = new HostileApplication(overrides);

    public HubsApplication App { get; }

    /// <summary>http://127.0.0.1:port of the running server.</summary>
    public Uri Address { get; private set; } = null!;

    public Task InitializeAsync()
    {
        App.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        App.StartServer();
        Address = App.ClientOptions.BaseAddress;
        return Task.CompletedTask;
    }

    public Task DisposeAsync() => App.DisposeAsync().AsTask();

    public string Token(string userName, params string[] roles) => App.CreateToken(userName, roles);

    /// <summary>A well-behaved typed client over a real WebSocket, welcomed and with its events recorded.</summary>
    public async Task<ChatSession> ConnectChatAsync(string userName, HubProtocolKind protocol = HubProtocolKind.Json)
    {
        var session = new ChatSession(userName, new ChatClient(KestrelClients.Options(Address, Token(userName), protocol)));
        await session.Client.StartAsync().WaitAsync(Timeouts.Default);
        await session.Events.Welcome.NextAsync();
        return session;
    }

    public HttpClient Http() => new() { BaseAddress = Address, Timeout = Timeouts.Default };
}

/// <summary>The real server with the hostile suite's settings, on sockets with small kernel send buffers.</summary>
internal sealed class HostileApplication(IReadOnlyDictionary<string, string?> overrides) : HubsApplication
{
    /// <summary>
    /// Kernel send buffer of the server's sockets. Linux grows it to megabytes by default, which a stuck
    /// client would soak up before the server itself holds anything; small, the slow-reader test needs
    /// a few dozen messages instead of hundreds. Real clients are unaffected (they read).
    /// </summary>
    private const int SocketSendBuffer = 16 * 1024;

    private static readonly Dictionary<string, string?> s_settings = new()
    {
        ["Limits:Burst"] = "100000",
        ["Limits:CallsPerPeriod"] = "100000",
        ["Chat:MaxMessageLength"] = HostileServerFixture.MaxMessageLength.ToString(CultureInfo.InvariantCulture),
        ["SlowConsumers:MaxBufferedBytes"] = HostileServerFixture.SlowConsumerLimit.ToString(CultureInfo.InvariantCulture),
        ["Logging:LogLevel:Default"] = "Warning",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        foreach (var (key, value) in s_settings.Concat(overrides))
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureServices(services => services.Configure<SocketTransportOptions>(sockets =>
            sockets.CreateBoundListenSocket = endpoint =>
            {
                // Accepted sockets inherit the listening socket's buffer sizes.
                var socket = SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
                socket.SendBufferSize = SocketSendBuffer;
                return socket;
            }));
    }
}

[CollectionDefinition(Name)]
public sealed class HostileCollection : ICollectionFixture<HostileServerFixture>
{
    public const string Name = "hostile";
}
