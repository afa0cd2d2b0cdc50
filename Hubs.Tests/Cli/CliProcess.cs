using System.Diagnostics;
using Hubs.Tests.Infrastructure;

namespace Hubs.Tests.Cli;

/// <summary>The console client (hubs-chat) as a real process, with its output lines recorded as they come.</summary>
public sealed class CliProcess : IDisposable
{
    private readonly Process _process;

    private CliProcess(Process process) => _process = process;

    public EventStream<string> Output { get; } = new();

    public EventStream<string> Errors { get; } = new();

    public static CliProcess Start(params string[] args)
    {
        // The test project references the CLI, so its build sits beside the tests.
        var cli = Path.Combine(AppContext.BaseDirectory, "hubs-chat.dll");
        var start = new ProcessStartInfo("dotnet", [cli, .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.Environment["DOTNET_NOLOGO"] = "1";
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var cliProcess = new CliProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                cliProcess.Output.Add(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                cliProcess.Errors.Add(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return cliProcess;
    }

    /// <summary>The exit code; a process still running after the timeout is killed and the test fails.</summary>
    public async Task<int> WaitForExitAsync()
    {
        using var cts = new CancellationTokenSource(Timeouts.Default * 2);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"hubs-chat did not exit; it printed:\n{string.Join('\n', Errors.Drain())}");
        }
        // WaitForExit() without a timeout also waits for the output streams to be drained.
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
        _process.Dispose();
    }
}
