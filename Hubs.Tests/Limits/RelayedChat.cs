using Hubs.Client;
using Hubs.Tests.Client;
using Hubs.Tests.Hostile;
using Hubs.Tests.Infrastructure;

namespace Hubs.Tests.Limits;

/// <summary>A typed chat client that reaches a real server through a <see cref="LoopbackTcpRelay"/>, so a test can cut its sockets.</summary>
internal static class RelayedChat
{
    /// <summary>
    /// A started client with every state change recorded from the first. It asks for stateful reconnect, like every
    /// typed client; when that fails it comes back at once, as a new connection.
    /// </summary>
    public static async Task<ResilientChat> ConnectAsync(HostileServerFixture server, LoopbackTcpRelay relay, string userName,
        HubProtocolKind protocol = HubProtocolKind.Json)
    {
        var token = server.Token(userName);
        var options = KestrelClients.Options(relay.Address, token, protocol);
        options.Reconnect = ResilientChat.FastForever;
        var chat = new ResilientChat(userName, options, new GatedTokenProvider(() => token));
        await chat.StartAsync();
        return chat;
    }
}
