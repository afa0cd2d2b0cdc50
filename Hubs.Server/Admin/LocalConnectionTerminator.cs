using Hubs.Contracts;
using Hubs.Server.Chat;
using Hubs.Server.Notifications;
using Microsoft.AspNetCore.SignalR;

namespace Hubs.Server.Admin;

/// <summary>Closes the connections of a user that are open on this instance.</summary>
internal sealed class LocalConnectionTerminator(
    ConnectionRegistry registry,
    IHubContext<ChatHub, IChatClient> chat,
    IHubContext<NotificationHub, INotificationClient> notifications,
    TimeProvider time,
    ILogger<LocalConnectionTerminator> logger) : IConnectionTerminator
{
    public async Task<int> DisconnectUserAsync(string userId, string reason, CancellationToken cancellationToken)
    {
        var connections = registry.ConnectionsOf(userId);
        if (connections.Count == 0)
        {
            return 0;
        }
        var notice = new DisconnectNotice(reason, time.GetUtcNow().UtcDateTime);
        // The notice is written to each connection before it is aborted, so it goes out ahead of SignalR's close frame:
        // the close frame itself cannot carry a reason from the server.
        await Task.WhenAll(
            NoticeAsync(connections, typeof(ChatHub), ids => chat.Clients.Clients(ids).Disconnecting(notice)),
            NoticeAsync(connections, typeof(NotificationHub), ids => notifications.Clients.Clients(ids).Disconnecting(notice)))
            .WaitAsync(cancellationToken);
        // Aborting at once could drop the notice still being written. Clients that heed it close by themselves
        // (proof it arrived); the others are cut after a short grace.
        await WaitForClientsToCloseAsync(connections, cancellationToken);
        foreach (var connection in connections)
        {
            connection.Context.Abort();
        }
        AdminLog.UserDisconnected(logger, userId, connections.Count, reason);
        return connections.Count;
    }

    private static readonly TimeSpan s_closeGrace = TimeSpan.FromSeconds(2);

    private async Task WaitForClientsToCloseAsync(IReadOnlyList<TrackedConnection> connections, CancellationToken cancellationToken)
    {
        var registrations = new List<CancellationTokenRegistration>();
        try
        {
            var closed = connections.Select(connection =>
            {
                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                registrations.Add(connection.Context.ConnectionAborted.Register(() => done.TrySetResult()));
                return done.Task;
            }).ToList();
            await Task.WhenAll(closed).WaitAsync(s_closeGrace, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            // Grace over: the remaining connections are aborted by the caller.
        }
        finally
        {
            foreach (var registration in registrations)
            {
                await registration.DisposeAsync();
            }
        }
    }

    private static Task NoticeAsync(IReadOnlyList<TrackedConnection> connections, Type hubType, Func<IReadOnlyList<string>, Task> send)
    {
        IReadOnlyList<string> ids = [.. connections.Where(c => c.HubType == hubType).Select(c => c.ConnectionId)];
        return ids.Count == 0 ? Task.CompletedTask : send(ids);
    }
}
