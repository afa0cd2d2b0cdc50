namespace Hubs.Tests.Infrastructure;

public static class Timeouts
{
    /// <summary>Generous: an event that is coming arrives in milliseconds, even on a loaded 2-core box.</summary>
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(15);
}
