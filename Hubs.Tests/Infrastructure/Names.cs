namespace Hubs.Tests.Infrastructure;

/// <summary>Unique user and room names, so tests sharing one server never see each other's events.</summary>
public static class Names
{
    public static string User(string prefix = "user") => $"{prefix}-{Guid.NewGuid():N}"[..20];

    public static string Room(string prefix = "room") => $"{prefix}-{Guid.NewGuid():N}"[..24];
}
