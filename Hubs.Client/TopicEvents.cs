namespace Hubs.Client;

/// <summary>A topic could not be subscribed to again after a reconnect.</summary>
/// <param name="Topic">The topic, no longer followed.</param>
/// <param name="Error">The server's refusal.</param>
public sealed record TopicResubscribeFailedEvent(string Topic, Exception Error);
