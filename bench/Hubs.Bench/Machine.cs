using System.Globalization;

namespace Hubs.Bench;

/// <summary>The machine the bench ran on, from /proc.</summary>
internal sealed record Machine(int Cores, string CpuModel, long MemoryBytes, string LoadAverage, string Kernel)
{
    public static Machine Read() => new(
        Environment.ProcessorCount,
        ProcLine("/proc/cpuinfo", "model name")?.Split(':', 2)[1].Trim() ?? "?",
        long.Parse(ProcLine("/proc/meminfo", "MemTotal:")?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1] ?? "0", CultureInfo.InvariantCulture) * 1024,
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?",
        File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : Environment.OSVersion.VersionString);

    /// <summary>The soft limit on open files of this process (the servers it starts inherit it).</summary>
    public static long OpenFilesLimit() =>
        ProcLine("/proc/self/limits", "Max open files") is { } line
        && long.TryParse(line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture, out var limit)
            ? limit
            : long.MaxValue;

    private static string? ProcLine(string path, string prefix) =>
        File.Exists(path) ? File.ReadLines(path).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal)) : null;
}
