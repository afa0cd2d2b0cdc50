namespace Hubs.Client;

/// <summary>Where a typed client is in its life, as its user sees it.</summary>
public enum ClientConnectionState
{
    /// <summary>Not started, stopped, or gave up reconnecting.</summary>
    Disconnected,

    /// <summary>First connect in progress (including its retries).</summary>
    Connecting,

    /// <summary>Connected; calls go straight through.</summary>
    Connected,

    /// <summary>The connection was lost and the client is getting it back; calls wait for it.</summary>
    Reconnecting,
}
