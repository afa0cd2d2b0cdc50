using Hubs.Tests.Infrastructure;

namespace Hubs.Tests.Client;

/// <summary>One real server process shared by a test class whose tests stop and restart it (they run one at a time).</summary>
public sealed class KestrelServerFixture : IAsyncLifetime
{
    private ServerProcess? _server;

    public ServerProcess Server => _server ?? throw new InvalidOperationException("The server is not started.");

    /// <summary>The server, started again if the previous test left it stopped.</summary>
    public async Task<ServerProcess> RunningServerAsync()
    {
        if (!Server.IsRunning)
        {
            await Server.StartAsync();
        }
        return Server;
    }

    public async Task InitializeAsync() => _server = await ServerProcess.StartAsync();

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

/// <summary>Client and CLI tests that share one server process; they run one at a time because some restart it.</summary>
[CollectionDefinition(Name)]
public sealed class KestrelClientCollection : ICollectionFixture<KestrelServerFixture>
{
    public const string Name = "Kestrel client";
}
