using Hubs.Contracts;
using Microsoft.AspNetCore.SignalR;

namespace Hubs.Client;

// Every call waits while the client is (re)connecting and is sent again if the connection is lost before its
// answer; all of them are safe to repeat. A HubException means the server refused the call: its message says why.
public sealed partial class ChatClient
{
    /// <summary>Sends to everyone connected; delivered exactly once, even across a reconnect.</summary>
    /// <remarks>Without a <see cref="SendMessageRequest.ClientMessageId"/> the client picks one.</remarks>
    /// <exception cref="HubException">The server refused the message (e.g. empty or too long).</exception>
    /// <exception cref="HubConnectionLostException">The client gave up reconnecting or was stopped before the server confirmed it.</exception>
    public Task<MessageAck> SendMessageAsync(SendMessageRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Hub.InvokeAsync<MessageAck>(nameof(IChatHub.SendMessage),
            request with { ClientMessageId = request.ClientMessageId ?? NewClientMessageId() }, cancellationToken);
    }

    /// <summary>Joins a room; the result's history holds recent messages (or those after <see cref="JoinRoomRequest.SinceId"/>).</summary>
    /// <remarks>
    /// The room is re-joined after every reconnect until <see cref="LeaveRoomAsync"/>. Room messages that arrive
    /// while joining are delivered after the call completes, never repeating one in the result's history.
    /// </remarks>
    public async Task<JoinRoomResult> JoinRoomAsync(JoinRoomRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Room is null)
        {
            // Nothing to track: the server refuses it with a HubException that says why.
            return await Hub.InvokeAsync<JoinRoomResult>(nameof(IChatHub.JoinRoom), request, cancellationToken);
        }
        _rooms.BeginJoin(request.Room);
        try
        {
            var result = await Hub.InvokeAsync<JoinRoomResult>(nameof(IChatHub.JoinRoom), request, cancellationToken);
            _rooms.CompleteJoin(result.Room, result.History);
            return result;
        }
        catch
        {
            _rooms.AbortJoin(request.Room);
            throw;
        }
    }

    /// <summary>Leaves a room; <see cref="Ack.Ok"/> is <c>false</c> when this connection was not in it.</summary>
    public Task<Ack> LeaveRoomAsync(LeaveRoomRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Room is not null)
        {
            _rooms.Leave(request.Room);
        }
        return Hub.InvokeAsync<Ack>(nameof(IChatHub.LeaveRoom), request, cancellationToken);
    }

    /// <summary>Sends to a room this client has joined; delivered exactly once, even across a reconnect.</summary>
    /// <exception cref="HubException">The server refused the message (e.g. not a member of the room).</exception>
    /// <exception cref="HubConnectionLostException">The client gave up reconnecting or was stopped before the server confirmed it.</exception>
    public Task<MessageAck> SendRoomMessageAsync(SendRoomMessageRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Hub.InvokeAsync<MessageAck>(nameof(IChatHub.SendRoomMessage),
            request with { ClientMessageId = request.ClientMessageId ?? NewClientMessageId() }, cancellationToken);
    }

    /// <summary>Sends to every connection of an online user; delivered exactly once, even across a reconnect.</summary>
    /// <exception cref="HubException">The server refused the message (e.g. the user is not online).</exception>
    /// <exception cref="HubConnectionLostException">The client gave up reconnecting or was stopped before the server confirmed it.</exception>
    public Task<MessageAck> SendDirectMessageAsync(SendDirectMessageRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Hub.InvokeAsync<MessageAck>(nameof(IChatHub.SendDirectMessage),
            request with { ClientMessageId = request.ClientMessageId ?? NewClientMessageId() }, cancellationToken);
    }

    /// <summary>Lists the users in a room.</summary>
    public Task<UserInfo[]> GetRoomMembersAsync(GetRoomMembersRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Hub.InvokeAsync<UserInfo[]>(nameof(IChatHub.GetRoomMembers), request, cancellationToken);
    }

    /// <summary>Reads a page of a room's history, oldest first.</summary>
    public Task<ChatMessage[]> GetRoomHistoryAsync(GetRoomHistoryRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Hub.InvokeAsync<ChatMessage[]>(nameof(IChatHub.GetRoomHistory), request, cancellationToken);
    }

    /// <summary>Unique per send, so the server can tell a re-send from a new message.</summary>
    private static string NewClientMessageId() => Guid.NewGuid().ToString("N");
}
