using System.Text.RegularExpressions;
using System.Xml.Linq;
using Hubs.Tests.Cluster;

namespace Hubs.Tests.Deploy;

/// <summary>
/// The deployment files stay in step with each other and with the code. (test.sh also runs
/// <c>docker-compose config -q</c> on docker-compose.yml; the cluster tests run deploy/nginx.conf for real.)
/// </summary>
public sealed partial class DeployFilesTests
{
    private static string Compose => File.ReadAllText(Path.Combine(RepositoryRoot.Directory, "docker-compose.yml"));

    private static string Dockerfile => File.ReadAllText(Path.Combine(RepositoryRoot.Directory, "Dockerfile"));

    [Fact]
    public void ComposeMountsTheNginxTemplateTheTestsRenderAndSetsEveryPlaceholder()
    {
        var compose = Compose;
        Assert.Contains("./deploy/nginx.conf:/etc/nginx/templates/nginx.conf.template", compose, StringComparison.Ordinal);
        var placeholders = NginxConfigTemplate.Placeholders(NginxConfigTemplate.Text);
        Assert.Contains("HUBS_LISTEN", placeholders);
        Assert.All(placeholders, name => Assert.Matches(new Regex($@"(?m)^\s+{name}: \S"), compose));
    }

    [Fact]
    public void RenderingTheNginxTemplateLeavesNginxVariablesAndRefusesMissingValues()
    {
        var template = NginxConfigTemplate.Text;
        var values = NginxConfigTemplate.Placeholders(template).ToDictionary(name => name, name => $"<{name}>");

        var rendered = NginxConfigTemplate.Render(template, values);

        Assert.DoesNotContain("${", rendered, StringComparison.Ordinal);
        Assert.Contains("hash $remote_addr consistent;", rendered, StringComparison.Ordinal);
        Assert.Contains("proxy_set_header Upgrade $http_upgrade;", rendered, StringComparison.Ordinal);
        values.Remove("HUBS_LISTEN");
        var error = Assert.Throws<InvalidOperationException>(() => NginxConfigTemplate.Render(template, values));
        Assert.Contains("HUBS_LISTEN", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DockerfileCopiesEveryProjectTheServerBuildsFrom()
    {
        var dockerfile = Dockerfile;
        foreach (var project in ServerProjectClosure())
        {
            Assert.Contains($"COPY {project}/{project}.csproj {project}/", dockerfile, StringComparison.Ordinal);
            Assert.Contains($"COPY {project}/ {project}/", dockerfile, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void DockerfileRunsAsNonRootWithAHealthCheck()
    {
        var dockerfile = Dockerfile;
        var runtimeStage = dockerfile[dockerfile.LastIndexOf("FROM ", StringComparison.Ordinal)..];
        Assert.Matches(UserDirective(), runtimeStage);
        Assert.DoesNotMatch(RootUser(), runtimeStage);
        Assert.Contains("HEALTHCHECK", runtimeStage, StringComparison.Ordinal);
        Assert.Contains("/health/live", runtimeStage, StringComparison.Ordinal);
    }

    [Fact]
    public void ComposeRequiresARealSigningKeyAndRunsTheServersInProduction()
    {
        var compose = Compose;
        Assert.Contains("ASPNETCORE_ENVIRONMENT: Production", compose, StringComparison.Ordinal);
        Assert.Matches(RequiredSigningKey(), compose);
        Assert.DoesNotContain("DEV-ONLY", compose, StringComparison.Ordinal);
    }

    /// <summary>Hubs.Server and every project it references, transitively, by folder name.</summary>
    private static IEnumerable<string> ServerProjectClosure()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>(["Hubs.Server"]);
        while (pending.TryPop(out var project))
        {
            if (!seen.Add(project))
            {
                continue;
            }
            var csproj = XDocument.Load(Path.Combine(RepositoryRoot.Directory, project, $"{project}.csproj"));
            foreach (var reference in csproj.Descendants("ProjectReference"))
            {
                pending.Push(Path.GetFileNameWithoutExtension(reference.Attribute("Include")!.Value.Replace('\\', '/')));
            }
        }
        return seen;
    }

    [GeneratedRegex(@"(?m)^USER \S+")]
    private static partial Regex UserDirective();

    [GeneratedRegex(@"(?m)^USER (root|0)\s*$")]
    private static partial Regex RootUser();

    [GeneratedRegex(@"Auth__SigningKey: \$\{HUBS_SIGNING_KEY:\?")]
    private static partial Regex RequiredSigningKey();
}
