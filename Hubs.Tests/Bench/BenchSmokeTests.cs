using System.Diagnostics;
using Hubs.Tests.Infrastructure;

namespace Hubs.Tests.Bench;

/// <summary>
/// The load tool still runs end to end against both servers, at a size that measures nothing: it is not part of the
/// product, so without this a change to the typed client or the servers can break it unnoticed until the next
/// benchmark. Its figures are never asserted (speed is a benchmark, not a test).
/// </summary>
public sealed class BenchSmokeTests
{
    [Fact]
    public async Task TheBenchRunsARoomFanOutAgainstPlainSignalRAndRealtimeHubsWithNothingLost()
    {
        var testBin = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var benchDll = RepositoryPaths.Combine("bench", "Hubs.Bench", "bin", testBin.Parent!.Name, testBin.Name, "Hubs.Bench.dll");
        var json = Path.Combine(Path.GetTempPath(), $"hubs-bench-smoke-{Guid.NewGuid():N}.json");
        var start = new ProcessStartInfo("dotnet",
            [benchDll, "--scenarios", "room-fanout", "--rooms", "1", "--members", "3", "--runs", "1", "--duration", "1", "--warmup", "0", "--json", json])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        try
        {
            using var bench = Process.Start(start)!;
            var output = bench.StandardOutput.ReadToEndAsync();
            var errors = bench.StandardError.ReadToEndAsync();
            try
            {
                await bench.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(3));
            }
            finally
            {
                if (!bench.HasExited)
                {
                    bench.Kill(entireProcessTree: true);
                }
            }
            var printed = await output + await errors;

            Assert.True(bench.ExitCode == 0, printed);
            Assert.Contains("| room-fanout | plain | 1 |", printed, StringComparison.Ordinal);
            Assert.Contains("| room-fanout | hubs | 1 |", printed, StringComparison.Ordinal);
            Assert.Equal(2, printed.Split('\n').Count(line => line.StartsWith("| room-fanout |", StringComparison.Ordinal) && line.Contains("| 0, 0, 0 |", StringComparison.Ordinal)));
            Assert.True(File.Exists(json), printed);
        }
        finally
        {
            File.Delete(json);
        }
    }
}
