using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;

namespace Hubs.Server.Rooms;

/// <summary>Configuration section <c>Rooms</c>.</summary>
public sealed class RoomOptions : IValidatableObject
{
    public const string Section = "Rooms";

    /// <summary>Messages kept per room; older ones drop off.</summary>
    [Range(1, 100_000, ErrorMessage = "Rooms:HistoryLength must be between 1 and 100000.")]
    public int HistoryLength { get; set; } = 100;

    /// <summary>Recent messages returned by JoinRoom when no sinceId is given.</summary>
    [Range(0, 100_000, ErrorMessage = "Rooms:JoinHistoryLimit must be between 0 and 100000.")]
    public int JoinHistoryLimit { get; set; } = 50;

    /// <summary>Page size of GetRoomHistory when the request gives no limit.</summary>
    [Range(1, 100_000, ErrorMessage = "Rooms:DefaultPageSize must be between 1 and 100000.")]
    public int DefaultPageSize { get; set; } = 50;

    /// <summary>Largest page GetRoomHistory returns.</summary>
    [Range(1, 100_000, ErrorMessage = "Rooms:MaxPageSize must be between 1 and 100000.")]
    public int MaxPageSize { get; set; } = 100;

    /// <summary>Room names must match this regular expression.</summary>
    [Required(ErrorMessage = "Rooms:NamePattern is required.")]
    public string NamePattern { get; set; } = "^[A-Za-z0-9_.-]{1,64}$";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // Otherwise every history call without a limit would be refused with a limit the client never sent.
        if (DefaultPageSize > MaxPageSize)
        {
            yield return new ValidationResult(
                "Rooms:DefaultPageSize must not exceed Rooms:MaxPageSize.", [nameof(DefaultPageSize)]);
        }
        if (!string.IsNullOrEmpty(NamePattern) && PatternError(NamePattern) is { } error)
        {
            yield return new ValidationResult($"Rooms:NamePattern is not a valid regular expression: {error}", [nameof(NamePattern)]);
        }
    }

    private static string? PatternError(string pattern)
    {
        try
        {
            _ = new Regex(pattern, RegexOptions.CultureInvariant);
            return null;
        }
        catch (ArgumentException e)
        {
            return e.Message;
        }
    }
}
