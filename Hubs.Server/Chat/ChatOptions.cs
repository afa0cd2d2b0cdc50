using System.ComponentModel.DataAnnotations;

namespace Hubs.Server.Chat;

/// <summary>Configuration section <c>Chat</c>.</summary>
public sealed class ChatOptions
{
    public const string Section = "Chat";

    /// <summary>Longest message text, counted after trimming.</summary>
    [Range(1, 1_000_000, ErrorMessage = "Chat:MaxMessageLength must be between 1 and 1000000.")]
    public int MaxMessageLength { get; set; } = 4000;
}
