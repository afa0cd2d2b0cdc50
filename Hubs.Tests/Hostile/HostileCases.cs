namespace Hubs.Tests.Hostile;

/// <summary>One hostile input: what it sends, and the outcome it asserts (returned as a line for the log).</summary>
public sealed record HostileCase(string Category, string Name, Func<HostileContext, Task<string>> Run)
{
    public override string ToString() => $"{Category}: {Name}";
}

/// <summary>The table of hostile inputs; each category lives in its own partial file.</summary>
public static partial class HostileCases
{
    // Lazy: static fields in partial files initialize in no guaranteed order.
    private static readonly Lazy<HostileCase[]> s_all =
        new(() => [.. JsonFrames, .. MessagePackFrames, .. Handshakes, .. Calls, .. InvocationIds, .. Floods, .. Http]);

    public static IReadOnlyList<HostileCase> All => s_all.Value;

    private static HostileCase Case(string category, string name, Func<HostileContext, Task<string>> run) => new(category, name, run);
}
