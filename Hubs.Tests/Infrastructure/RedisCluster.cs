namespace Hubs.Tests.Infrastructure;

/// <summary>
/// Two in-memory servers (TestServer) sharing one real redis-server, as two instances behind a load balancer;
/// each fixture has its own key and channel prefix.
/// </summary>
public sealed class RedisCluster : IAsyncLifetime
{
    private readonly IDictionary<string, string?> _extra;
    private RedisServer? _redis;

    public RedisCluster()
        : this(new Dictionary<string, string?>())
    {
    }

    private RedisCluster(IDictionary<string, string?> extra)
    {
        _extra = extra;
    }

    /// <summary>A cluster whose instances also get <paramref name="extra"/> settings.</summary>
    public static RedisCluster With(IDictionary<string, string?> extra) => new(extra);

    public RedisServer Redis => _redis ?? throw new InvalidOperationException("Not started.");

    public HubsApplication First { get; private set; } = null!;

    public HubsApplication Second { get; private set; } = null!;

    public string Prefix { get; } = "cluster-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>Settings of every instance: this Redis, this prefix, plus <paramref name="extra"/>.</summary>
    public Dictionary<string, string?> Settings(IDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Redis:ConnectionString"] = Redis.ConnectionString,
            ["Redis:ChannelPrefix"] = Prefix,
        };
        foreach (var (key, value) in extra ?? _extra)
        {
            settings[key] = value;
        }
        return settings;
    }

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        First = HubsApplication.With(Settings());
        Second = HubsApplication.With(Settings());
        // Start both hosts (and their background services) before any test connects.
        _ = First.Server;
        _ = Second.Server;
    }

    public async Task DisposeAsync()
    {
        await First.DisposeAsync();
        await Second.DisposeAsync();
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }
}
