using Hubs.Server.Chat;
using Hubs.Server.Presence;
using Hubs.Server.Rooms;
using Hubs.Server.State;
using Microsoft.Extensions.Options;

namespace Hubs.Tests.State;

/// <summary>The state contract on the in-memory engine (one instance: "another instance" is the same process).</summary>
public sealed class InMemoryStateStoreTests : StateStoreContractTests
{
    protected override StateStores Create(StoreSettings? settings = null) => Build(settings ?? new StoreSettings(), TimeProvider.System);

    protected override StateStores Reopen(StateStores stores) => stores;

    protected override StateStores Restart(StateStores stores) => Build(new StoreSettings(), new LaterTimeProvider(TimeSpan.FromSeconds(1)));

    private static StateStores Build(StoreSettings settings, TimeProvider time)
    {
        var ids = new InMemoryMessageIdGenerator(time);
        var chat = Options.Create(new ChatOptions { DeduplicationWindow = settings.DeduplicationWindow ?? TimeSpan.FromMinutes(2) });
        return new StateStores(
            new InMemoryPresenceStore(),
            new InMemoryRoomMembershipStore(),
            new InMemoryRoomHistoryStore(ids, Options.Create(new RoomOptions { HistoryLength = settings.HistoryLength })),
            ids,
            new InMemorySendDeduplicator(chat, time));
    }

    /// <summary>The clock of a process started a little later.</summary>
    private sealed class LaterTimeProvider(TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;
    }
}
