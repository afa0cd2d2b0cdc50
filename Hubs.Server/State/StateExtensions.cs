using Hubs.Server.Chat;
using Hubs.Server.Presence;
using Hubs.Server.Rooms;

namespace Hubs.Server.State;

public static class StateExtensions
{
    /// <summary>
    /// The one place that picks where shared state lives. Today: in process memory, which is right for a
    /// single instance; a Redis engine for several instances plugs in here behind the same interfaces.
    /// </summary>
    public static IHostApplicationBuilder AddHubState(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<InMemoryMessageIdGenerator>();
        builder.Services.AddSingleton<IMessageIdGenerator>(sp => sp.GetRequiredService<InMemoryMessageIdGenerator>());
        builder.Services.AddSingleton<IPresenceStore, InMemoryPresenceStore>();
        builder.Services.AddSingleton<IRoomMembershipStore, InMemoryRoomMembershipStore>();
        builder.Services.AddSingleton<IRoomHistoryStore, InMemoryRoomHistoryStore>();
        builder.Services.AddSingleton<ISendDeduplicator, InMemorySendDeduplicator>();
        return builder;
    }
}
