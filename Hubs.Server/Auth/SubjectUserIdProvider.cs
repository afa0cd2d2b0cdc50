using Microsoft.AspNetCore.SignalR;

namespace Hubs.Server.Auth;

/// <summary>SignalR's user id is the JWT <c>sub</c>, so <c>Clients.User(id)</c> reaches every connection of that user.</summary>
internal sealed class SubjectUserIdProvider : IUserIdProvider
{
    public string? GetUserId(HubConnectionContext connection) => connection.User.UserId();
}
