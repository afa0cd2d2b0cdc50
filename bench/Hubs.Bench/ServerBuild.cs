namespace Hubs.Bench;

/// <summary>Finds Hubs.Server.dll built with the same configuration as this bench (the project reference builds it).</summary>
internal static class ServerBuild
{
    public static string Locate()
    {
        var benchBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = benchBin.Name;
        var configuration = benchBin.Parent!.Name;
        for (var dir = benchBin; dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "Hubs.Server", "bin", configuration, framework, "Hubs.Server.dll");
            if (File.Exists(Path.Combine(dir.FullName, "RealtimeHubs.sln")) && File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException("Hubs.Server.dll not found; build the solution or pass --server-dll.");
    }
}
