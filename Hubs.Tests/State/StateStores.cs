using Hubs.Server.Chat;
using Hubs.Server.Presence;
using Hubs.Server.Rooms;
using Hubs.Server.State;

namespace Hubs.Tests.State;

/// <summary>One engine's five state stores, sharing one id sequence as the server wires them.</summary>
public sealed record StateStores(
    IPresenceStore Presence,
    IRoomMembershipStore Rooms,
    IRoomHistoryStore History,
    IMessageIdGenerator Ids,
    ISendDeduplicator Sends);

/// <summary>Settings a test may change; everything else is the server's default.</summary>
public sealed record StoreSettings(int HistoryLength = 100, TimeSpan? DeduplicationWindow = null);
