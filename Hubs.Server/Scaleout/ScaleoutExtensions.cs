using Hubs.Server.Admin;
using Hubs.Server.Chat;
using Hubs.Server.Observability;
using Hubs.Server.Presence;
using Hubs.Server.Rooms;
using Hubs.Server.State;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Hubs.Server.Scaleout;

public static class ScaleoutExtensions
{
    /// <summary>
    /// State in Redis and the Redis backplane, for several instances behind a load balancer. Called by
    /// <see cref="StateExtensions.AddHubState"/> when <c>Redis:ConnectionString</c> is set.
    /// </summary>
    public static IHostApplicationBuilder AddRedisScaleout(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<InstanceIdentity>();
        services.AddSingleton(sp => new RedisKeys(sp.GetRequiredService<IOptions<RedisOptions>>().Value.ChannelPrefix));
        services.AddSingleton<IConnectionMultiplexer>(sp => Connect(
            sp.GetRequiredService<IOptions<RedisOptions>>().Value,
            sp.GetRequiredService<InstanceIdentity>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ScaleoutExtensions).FullName!)));

        services.AddSingleton<RedisSubscriptions>();
        services.AddSingleton<IMessageIdGenerator, RedisMessageIdGenerator>();
        services.AddSingleton<FallbackMessageIds>();
        services.AddSingleton<RedisPresenceStore>();
        services.AddSingleton<IPresenceStore, OutageTolerantPresenceStore>();
        services.AddSingleton<StateReassertion>();
        services.AddSingleton<RedisRoomMembershipStore>();
        services.AddSingleton<IRoomMembershipStore, OutageTolerantRoomMembershipStore>();
        services.AddSingleton<RedisRoomHistoryStore>();
        services.AddSingleton<IRoomHistoryStore>(sp => sp.GetRequiredService<RedisRoomHistoryStore>());
        services.AddSingleton<RedisSendDeduplicator>();
        services.AddSingleton<OutageSendJournal>();
        services.AddSingleton<OutageTolerantSendDeduplicator>();
        services.AddSingleton<ISendDeduplicator>(sp => sp.GetRequiredService<OutageTolerantSendDeduplicator>());
        services.AddSingleton<IRoomMessenger, RedisRoomMessenger>();
        services.AddSingleton<IChatMessenger, ClusterChatMessenger>();

        // Registered before AddSignalR's TryAdd of the default manager, so this one is used for every hub.
        services.AddSingleton(typeof(HubLifetimeManager<>), typeof(ClusterHubLifetimeManager<>));
        services.AddSingleton<OutageDepartures>();
        services.Configure<HubOptions>(hub => hub.AddFilter<RedisUnavailableFilter>());
        services.AddHostedService<RoomMessageRelay>();
        services.AddHostedService<InstanceJanitor>();
        // Admin disconnects reach every instance; registered before the admin feature's local default.
        services.AddSingleton<RedisConnectionTerminator>();
        services.AddSingleton<IConnectionTerminator>(sp => sp.GetRequiredService<RedisConnectionTerminator>());
        services.AddHostedService(sp => sp.GetRequiredService<RedisConnectionTerminator>());
        services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis", tags: [ObservabilityExtensions.ReadyTag]);
        return builder;
    }

    /// <summary>
    /// Starts even when Redis is down and reconnects by itself; commands fail at once while disconnected
    /// instead of queueing without bound.
    /// </summary>
    private static ConnectionMultiplexer Connect(RedisOptions options, InstanceIdentity instance, ILogger logger)
    {
        var configuration = ConfigurationOptions.Parse(options.ConnectionString!);
        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.ReconnectRetryPolicy = new LinearRetry(500);
        configuration.ClientName ??= $"realtimehubs-{instance.Id}";
        // The shared .NET thread pool instead of the client's dedicated one: its workers spin-wait for work, which
        // on two cores cost CPU on every reply; ours sleep at once (UnfairSemaphoreSpinLimit, Hubs.Server.csproj).
        configuration.SocketManager ??= SocketManager.ThreadPool;
        var connection = ConnectionMultiplexer.Connect(configuration);
        connection.ConnectionFailed += (_, e) =>
            ScaleoutLog.RedisConnectionFailed(logger, e.ConnectionType.ToString(), e.EndPoint?.ToString() ?? "?", e.FailureType.ToString(), e.Exception);
        connection.ConnectionRestored += (_, e) =>
            ScaleoutLog.RedisConnectionRestored(logger, e.ConnectionType.ToString(), e.EndPoint?.ToString() ?? "?");
        return connection;
    }
}
