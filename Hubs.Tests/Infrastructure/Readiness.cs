using Hubs.Client;
using Hubs.Contracts;

namespace Hubs.Tests.Infrastructure;

/// <summary>
/// SignalR reads a connection's invocations only after the hub's OnConnectedAsync has finished, so one answered
/// call proves the server has registered the connection (presence, connection registry) — no waiting on time.
/// </summary>
public static class Readiness
{
    private const string NoSuchRoom = "readiness-probe";

    public static async Task<ChatSession> ReadyAsync(this ChatSession session)
    {
        await session.Client.GetRoomMembersAsync(new GetRoomMembersRequest(NoSuchRoom)).WaitAsync(Timeouts.Default);
        return session;
    }

    public static async Task<ChatSession> ReadyAsync(this Task<ChatSession> connecting) => await (await connecting).ReadyAsync();

    public static Task ReadyAsync(this NotificationClient client) =>
        client.UnsubscribeAsync(new UnsubscribeRequest(NoSuchRoom)).WaitAsync(Timeouts.Default);
}
