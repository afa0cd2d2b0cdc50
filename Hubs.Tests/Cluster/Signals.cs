using System.Diagnostics;
using System.Globalization;

namespace Hubs.Tests.Cluster;

/// <summary>Signals to processes this test run started, always by PID.</summary>
internal static class Signals
{
    /// <summary>SIGTERM, then wait for the exit; SIGKILL if the process ignores it for <paramref name="grace"/>.</summary>
    public static async Task TerminateAsync(Process process, TimeSpan? grace = null)
    {
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        using var cts = new CancellationTokenSource(grace ?? TimeSpan.FromSeconds(20));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}
