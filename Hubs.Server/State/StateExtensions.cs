using Hubs.Server.Chat;
using Hubs.Server.Presence;
using Hubs.Server.Rooms;
using Hubs.Server.Scaleout;

namespace Hubs.Server.State;

public static class StateExtensions
{
    /// <summary>
    /// The one place that picks where shared state lives: in process memory, which is right for a single
    /// instance, or in Redis (with the Redis backplane) when <c>Redis:ConnectionString</c> is set, for several.
    /// </summary>
    public static IHostApplicationBuilder AddHubState(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOptions<RedisOptions>().BindConfiguration(RedisOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var redis = builder.Configuration.GetSection(RedisOptions.Section).Get<RedisOptions>() ?? new RedisOptions();
        if (redis.Enabled)
        {
            return builder.AddRedisScaleout();
        }

        builder.Services.AddSingleton<InMemoryMessageIdGenerator>();
        builder.Services.AddSingleton<IMessageIdGenerator>(sp => sp.GetRequiredService<InMemoryMessageIdGenerator>());
        builder.Services.AddSingleton<IPresenceStore, InMemoryPresenceStore>();
        builder.Services.AddSingleton<IRoomMembershipStore, InMemoryRoomMembershipStore>();
        builder.Services.AddSingleton<IRoomHistoryStore, InMemoryRoomHistoryStore>();
        builder.Services.AddSingleton<ISendDeduplicator, InMemorySendDeduplicator>();
        builder.Services.AddSingleton<IRoomMessenger, LocalRoomMessenger>();
        builder.Services.AddSingleton<IChatMessenger, LocalChatMessenger>();
        return builder;
    }
}
