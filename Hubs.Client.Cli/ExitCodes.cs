namespace Hubs.Client.Cli;

/// <summary>What a script can learn from the exit status.</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>Bad or missing arguments; usage is printed.</summary>
    public const int Usage = 1;

    /// <summary>Could not log in or connect.</summary>
    public const int Unavailable = 2;

    /// <summary>The server refused the request (its message is printed).</summary>
    public const int Refused = 3;

    /// <summary>Fewer messages than asked for arrived in time.</summary>
    public const int Timeout = 4;

    /// <summary>The connection was lost for good before the work was done.</summary>
    public const int ConnectionLost = 5;

    /// <summary>Interrupted (Ctrl+C).</summary>
    public const int Interrupted = 130;
}
