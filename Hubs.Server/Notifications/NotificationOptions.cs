using System.ComponentModel.DataAnnotations;

namespace Hubs.Server.Notifications;

/// <summary>Configuration section <c>Notifications</c>.</summary>
public sealed class NotificationOptions
{
    public const string Section = "Notifications";

    /// <summary>Bounds of a stats stream interval, configured or asked for by a client.</summary>
    public const int MinStatsIntervalMilliseconds = 100;
    public const int MaxStatsIntervalMilliseconds = 60_000;

    /// <summary>Longest notification title, counted after trimming.</summary>
    [Range(1, 10_000, ErrorMessage = "Notifications:MaxTitleLength must be between 1 and 10000.")]
    public int MaxTitleLength { get; set; } = 200;

    /// <summary>Longest notification body, counted after trimming.</summary>
    [Range(0, 1_000_000, ErrorMessage = "Notifications:MaxBodyLength must be between 0 and 1000000.")]
    public int MaxBodyLength { get; set; } = 4000;

    /// <summary>Topics one connection may follow at once.</summary>
    [Range(1, 10_000, ErrorMessage = "Notifications:MaxTopicsPerConnection must be between 1 and 10000.")]
    public int MaxTopicsPerConnection { get; set; } = 100;

    /// <summary>Time between stats samples when the client does not ask for another.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00", ErrorMessage = "Notifications:StatsInterval must be between 00:00:00.100 and 00:01:00.")]
    public TimeSpan StatsInterval { get; set; } = TimeSpan.FromSeconds(1);
}
