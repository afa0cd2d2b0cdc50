using Hubs.Contracts;

namespace Hubs.Client;

public sealed partial class ChatClient
{
    /// <summary>
    /// After a (re)connect the server knows none of this connection's rooms: join each again from the last message
    /// seen there and deliver what was missed. Runs before waiting calls are let through, so a send to a room
    /// never reaches the server before the room is joined.
    /// </summary>
    private async Task RestoreRoomsAsync(CancellationToken cancellationToken)
    {
        foreach (var (room, sinceId) in _rooms.BeginRecovery())
        {
            JoinRoomResult result;
            try
            {
                result = await _hub.InvokeNowAsync<JoinRoomResult>(nameof(IChatHub.JoinRoom), new JoinRoomRequest(room, sinceId), cancellationToken);
            }
            catch (Exception ex) when (HubErrors.IsServerRefusal(ex))
            {
                ClientLog.RoomRejoinFailed(_logger, room, ex);
                _rooms.FailRecovery(room);
                var failed = new RoomRejoinFailedEvent(room, ex);
                _hub.Events.Post(() => RoomRejoinFailed?.Invoke(failed));
                continue;
            }
            var missed = _rooms.CompleteRecovery(room, result.History);
            ClientLog.RoomRejoined(_logger, room, missed, result.HistoryTruncated);
            var rejoined = new RoomRejoinedEvent(room, missed, result.HistoryTruncated);
            _hub.Events.Post(() => RoomRejoined?.Invoke(rejoined));
        }
    }
}
