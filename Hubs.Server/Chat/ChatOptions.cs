using System.ComponentModel.DataAnnotations;

namespace Hubs.Server.Chat;

/// <summary>Configuration section <c>Chat</c>.</summary>
public sealed class ChatOptions
{
    public const string Section = "Chat";

    /// <summary>Longest message text, counted after trimming.</summary>
    [Range(1, 1_000_000, ErrorMessage = "Chat:MaxMessageLength must be between 1 and 1000000.")]
    public int MaxMessageLength { get; set; } = 4000;

    /// <summary>How long a <c>clientMessageId</c> is remembered, so a re-send gets the original ack.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Chat:DeduplicationWindow must be between 1 second and 1 day.")]
    public TimeSpan DeduplicationWindow { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Longest accepted <c>clientMessageId</c>.</summary>
    [Range(1, 1024, ErrorMessage = "Chat:MaxClientMessageIdLength must be between 1 and 1024.")]
    public int MaxClientMessageIdLength { get; set; } = 128;
}
