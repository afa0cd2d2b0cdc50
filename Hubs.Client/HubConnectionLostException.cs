namespace Hubs.Client;

/// <summary>
/// A call could not be completed because the client gave up reconnecting or was stopped while the call waited.
/// For a send this means it was not confirmed by the server.
/// </summary>
public sealed class HubConnectionLostException : Exception
{
    /// <summary>Creates the exception.</summary>
    public HubConnectionLostException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public HubConnectionLostException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the failure that caused it.</summary>
    public HubConnectionLostException(string message, Exception? innerException) : base(message, innerException)
    {
    }
}
