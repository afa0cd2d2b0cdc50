using System.Globalization;
using Hubs.Tests.Infrastructure;

namespace Hubs.Tests.Observability;

/// <summary>
/// <c>Metrics:Port</c> must be a port the server listens on, or the scrape endpoint answers nowhere. The passing case is
/// <see cref="KestrelMetricsTests"/>, whose server listens on its metrics port.
/// </summary>
public sealed class MetricsPortStartupTests
{
    [Fact]
    public async Task AMetricsPortTheServerDoesNotListenOnStopsTheStartNamingTheKey()
    {
        var unboundPort = ServerProcess.FreePort().ToString(CultureInfo.InvariantCulture);

        var output = await OutputOfFailedStartAsync(new Dictionary<string, string?> { ["Metrics:Port"] = unboundPort });

        Assert.Contains($"Metrics:Port is {unboundPort}, but the server listens only on", output, StringComparison.Ordinal);
    }

    /// <summary>The check runs once the server has bound its ports, so the process may answer briefly before it exits.</summary>
    private static async Task<string> OutputOfFailedStartAsync(IDictionary<string, string?> settings)
    {
        ServerProcess server;
        try
        {
            server = await ServerProcess.StartAsync(settings);
        }
        catch (InvalidOperationException exited)
        {
            return exited.Message;
        }
        await using (server)
        {
            Assert.NotEqual(0, await server.WaitForExitAsync(Timeouts.Default));
            return server.Output;
        }
    }
}
