namespace Hubs.Client.Cli;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        using var interrupted = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true; // finish cleanly: stop the client, then exit
            interrupted.Cancel();
        };
        return await ChatCli.RunAsync(args, Console.In, Console.Out, Console.Error, interrupted.Token);
    }
}
