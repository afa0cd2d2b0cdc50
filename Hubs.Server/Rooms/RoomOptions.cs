using System.ComponentModel.DataAnnotations;

namespace Hubs.Server.Rooms;

/// <summary>Configuration section <c>Rooms</c>.</summary>
public sealed class RoomOptions
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

    [Required(ErrorMessage = "Rooms:NamePattern is required.")]
    public string NamePattern { get; set; } = "^[A-Za-z0-9_.-]{1,64}$";
}
