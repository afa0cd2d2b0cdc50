namespace Hubs.Tests.Infrastructure;

/// <summary>Files of the repository the tests run from (found by walking up to RealtimeHubs.sln).</summary>
public static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "RealtimeHubs.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("RealtimeHubs.sln not found above " + AppContext.BaseDirectory);
    }
}
