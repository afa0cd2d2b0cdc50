using System.Text.RegularExpressions;
using Hubs.Server.Rooms;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Hubs.Server.Chat;

/// <summary>Checks what clients send; failures become a HubException the caller can read.</summary>
public sealed class ChatInput(IOptions<ChatOptions> chatOptions, IOptions<RoomOptions> roomOptions)
{
    private readonly Regex _roomName = new(roomOptions.Value.NamePattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>Returns the trimmed text, or throws when it is empty or too long.</summary>
    public string Text(string? text)
    {
        var trimmed = text?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            throw new HubException("Message text must not be empty.");
        }
        var max = chatOptions.Value.MaxMessageLength;
        if (trimmed.Length > max)
        {
            throw new HubException($"Message text is {trimmed.Length} characters; the limit is {max}.");
        }
        return trimmed;
    }

    public string Room(string? room)
    {
        if (string.IsNullOrEmpty(room) || !IsValidRoom(room))
        {
            throw new HubException($"Invalid room name '{Shorten(room)}': room names must match {_roomName}.");
        }
        return room;
    }

    public bool IsValidRoom(string room) => _roomName.IsMatch(room);

    /// <summary>Null when the client gave none; otherwise checked for length.</summary>
    public string? ClientMessageId(string? clientMessageId)
    {
        if (clientMessageId is null)
        {
            return null;
        }
        var max = chatOptions.Value.MaxClientMessageIdLength;
        if (clientMessageId.Length == 0 || clientMessageId.Length > max)
        {
            throw new HubException($"clientMessageId must be 1-{max} characters.");
        }
        return clientMessageId;
    }

    public static string UserId(string? userId) =>
        string.IsNullOrWhiteSpace(userId) ? throw new HubException("A user id is required.") : userId;

    /// <summary>Keeps error messages short when a client sends a huge invalid value.</summary>
    private static string Shorten(string? value) => value is { Length: > 80 } ? value[..80] + "…" : value ?? "";
}
