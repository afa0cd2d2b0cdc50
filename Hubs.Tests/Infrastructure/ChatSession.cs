using Hubs.Client;

namespace Hubs.Tests.Infrastructure;

/// <summary>A connected test user: the typed client plus everything it has received.</summary>
public sealed class ChatSession : HubSession<ChatClient>
{
    public ChatSession(string userName, ChatClient client)
        : base(userName, client)
    {
        client.Subscribe(Events);
        client.Closed += OnClosed;
    }

    public ChatEvents Events { get; } = new();
}
