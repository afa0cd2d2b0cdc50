using System.Text.RegularExpressions;

namespace Hubs.Tests.Cluster;

/// <summary>
/// <c>deploy/nginx.conf</c>, the one nginx configuration docker-compose and these tests share. It is rendered like
/// the nginx image's envsubst does: <c>${HUBS_*}</c> and <c>${NGINX_*}</c> are replaced, nginx's own
/// <c>$variables</c> are left alone.
/// </summary>
public static partial class NginxConfigTemplate
{
    public static string Path { get; } = System.IO.Path.Combine(RepositoryRoot.Directory, "deploy", "nginx.conf");

    public static string Text => File.ReadAllText(Path);

    /// <summary>The placeholder names the template uses, e.g. <c>HUBS_LISTEN</c>.</summary>
    public static IReadOnlySet<string> Placeholders(string template) =>
        Placeholder().Matches(template).Select(m => m.Groups["name"].Value).ToHashSet(StringComparer.Ordinal);

    /// <summary>Fills in every placeholder; a placeholder without a value is an error, as a silent empty one would be.</summary>
    public static string Render(string template, IReadOnlyDictionary<string, string> values)
    {
        var missing = Placeholders(template).Where(name => !values.ContainsKey(name)).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException($"No value for {string.Join(", ", missing)} in {Path}.");
        }
        return Placeholder().Replace(template, m => values[m.Groups["name"].Value]);
    }

    [GeneratedRegex(@"\$\{(?<name>(?:HUBS|NGINX)_[A-Z0-9_]+)\}")]
    private static partial Regex Placeholder();
}

/// <summary>The checkout this test assembly was built from.</summary>
public static class RepositoryRoot
{
    public static string Directory { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "RealtimeHubs.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("RealtimeHubs.sln not found above " + AppContext.BaseDirectory);
    }
}
