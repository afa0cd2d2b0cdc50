using Hubs.Contracts;
using Microsoft.AspNetCore.SignalR.Client;

namespace Hubs.Client;

public sealed partial class ChatClient
{
    /// <summary>Sends to everyone connected.</summary>
    public Task<MessageAck> SendMessageAsync(SendMessageRequest request, CancellationToken cancellationToken = default) =>
        _connection.InvokeAsync<MessageAck>(nameof(IChatHub.SendMessage), request, cancellationToken);

    /// <summary>Joins a room; with <see cref="JoinRoomRequest.SinceId"/> the result holds what was missed.</summary>
    public Task<JoinRoomResult> JoinRoomAsync(JoinRoomRequest request, CancellationToken cancellationToken = default) =>
        _connection.InvokeAsync<JoinRoomResult>(nameof(IChatHub.JoinRoom), request, cancellationToken);

    /// <summary>Leaves a room; <see cref="Ack.Ok"/> is <c>false</c> when this connection was not in it.</summary>
    public Task<Ack> LeaveRoomAsync(LeaveRoomRequest request, CancellationToken cancellationToken = default) =>
        _connection.InvokeAsync<Ack>(nameof(IChatHub.LeaveRoom), request, cancellationToken);

    /// <summary>Sends to a room this connection has joined.</summary>
    public Task<MessageAck> SendRoomMessageAsync(SendRoomMessageRequest request, CancellationToken cancellationToken = default) =>
        _connection.InvokeAsync<MessageAck>(nameof(IChatHub.SendRoomMessage), request, cancellationToken);

    /// <summary>Sends to every connection of an online user.</summary>
    public Task<MessageAck> SendDirectMessageAsync(SendDirectMessageRequest request, CancellationToken cancellationToken = default) =>
        _connection.InvokeAsync<MessageAck>(nameof(IChatHub.SendDirectMessage), request, cancellationToken);

    /// <summary>Lists the users in a room.</summary>
    public Task<UserInfo[]> GetRoomMembersAsync(GetRoomMembersRequest request, CancellationToken cancellationToken = default) =>
        _connection.InvokeAsync<UserInfo[]>(nameof(IChatHub.GetRoomMembers), request, cancellationToken);

    /// <summary>Reads a page of a room's history, oldest first.</summary>
    public Task<ChatMessage[]> GetRoomHistoryAsync(GetRoomHistoryRequest request, CancellationToken cancellationToken = default) =>
        _connection.InvokeAsync<ChatMessage[]>(nameof(IChatHub.GetRoomHistory), request, cancellationToken);
}
