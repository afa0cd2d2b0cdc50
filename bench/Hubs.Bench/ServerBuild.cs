namespace Hubs.Bench;

/// <summary>Finds the server builds made with the same configuration as this bench (the project references build them).</summary>
internal static class ServerBuild
{
    public static string Locate(string projectDirectory, string dllName)
    {
        var benchBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = benchBin.Name;
        var configuration = benchBin.Parent!.Name;
        for (var dir = benchBin; dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, projectDirectory, "bin", configuration, framework, dllName);
            if (File.Exists(Path.Combine(dir.FullName, "RealtimeHubs.sln")) && File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException($"{dllName} not found; build the solution or pass its path.");
    }
}
