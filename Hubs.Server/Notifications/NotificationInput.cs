using Hubs.Server.Chat;
using Hubs.Server.Rooms;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace Hubs.Server.Notifications;

/// <summary>Checks notification input; failures become a HubException (the REST endpoints turn it into a 400).</summary>
public sealed class NotificationInput(ChatInput chatInput, IOptions<RoomOptions> roomOptions, IOptions<NotificationOptions> options)
{
    /// <summary>Topic names follow the room-name rule, checked by the chat input itself.</summary>
    public string Topic(string? topic)
    {
        if (string.IsNullOrEmpty(topic) || !chatInput.IsValidRoom(topic))
        {
            var shown = topic is { Length: > 80 } ? topic[..80] + "…" : topic ?? "";
            throw new HubException($"Invalid topic name '{shown}': topic names must match {roomOptions.Value.NamePattern}.");
        }
        return topic;
    }

    /// <summary>Returns the trimmed title, or throws when it is empty or too long.</summary>
    public string Title(string? title)
    {
        var trimmed = title?.Trim();
        if (string.IsNullOrEmpty(trimmed))
        {
            throw new HubException("Notification title must not be empty.");
        }
        var max = options.Value.MaxTitleLength;
        if (trimmed.Length > max)
        {
            throw new HubException($"Notification title is {trimmed.Length} characters; the limit is {max}.");
        }
        return trimmed;
    }

    /// <summary>Returns the trimmed body (empty when none was given), or throws when it is too long.</summary>
    public string Body(string? body)
    {
        var trimmed = body?.Trim() ?? "";
        var max = options.Value.MaxBodyLength;
        if (trimmed.Length > max)
        {
            throw new HubException($"Notification body is {trimmed.Length} characters; the limit is {max}.");
        }
        return trimmed;
    }

    public TimeSpan StatsInterval(int? milliseconds)
    {
        if (milliseconds is null)
        {
            return options.Value.StatsInterval;
        }
        if (milliseconds is < NotificationOptions.MinStatsIntervalMilliseconds or > NotificationOptions.MaxStatsIntervalMilliseconds)
        {
            throw new HubException(
                $"intervalMilliseconds must be between {NotificationOptions.MinStatsIntervalMilliseconds} and {NotificationOptions.MaxStatsIntervalMilliseconds}.");
        }
        return TimeSpan.FromMilliseconds(milliseconds.Value);
    }
}
