using Hubs.Contracts;

namespace Hubs.Client;

public sealed partial class ChatClient
{
    /// <summary>
    /// After a (re)connect the server knows none of this connection's rooms: join each again from the last message
    /// seen there and deliver what was missed. Runs once the server has accepted the connection (its Welcome; a
    /// refused one is not restored), and before waiting calls are let through, so a send to a room never reaches
    /// the server before the room is joined.
    /// </summary>
    private protected override async Task RestoreAsync(CancellationToken cancellationToken)
    {
        foreach (var (room, sinceId) in _rooms.BeginRecovery())
        {
            JoinRoomResult result;
            try
            {
                result = await Hub.InvokeNowAsync<JoinRoomResult>(nameof(IChatHub.JoinRoom), new JoinRoomRequest(room, sinceId), cancellationToken);
            }
            catch (Exception ex) when (HubErrors.IsServerRefusal(ex))
            {
                ClientLog.RoomRejoinFailed(Logger, room, ex);
                _rooms.FailRecovery(room);
                var failed = new RoomRejoinFailedEvent(room, ex);
                Hub.Events.Post(() => RoomRejoinFailed?.Invoke(failed));
                continue;
            }
            var missed = _rooms.CompleteRecovery(room, result.History);
            ClientLog.RoomRejoined(Logger, room, missed, result.HistoryTruncated);
            var rejoined = new RoomRejoinedEvent(room, missed, result.HistoryTruncated);
            Hub.Events.Post(() => RoomRejoined?.Invoke(rejoined));
        }
    }
}
