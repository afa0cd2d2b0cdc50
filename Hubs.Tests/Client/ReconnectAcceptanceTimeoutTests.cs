using Hubs.Client;
using Hubs.Server.Chat;
using Hubs.Tests.Infrastructure;
using Hubs.Tests.Limits;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Hubs.Tests.Client;

/// <summary>The in-memory server with a <see cref="ConnectionDropper"/> and a chat lifetime manager that can hold one connection's setup.</summary>
public sealed class HeldReconnectApplication : DroppableHubsApplication
{
    public HeldConnectLifetimeManager Lifetime => (HeldConnectLifetimeManager)Services.GetRequiredService<HubLifetimeManager<ChatHub>>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<HubLifetimeManager<ChatHub>, HeldConnectLifetimeManager>());
    }
}

/// <summary>
/// A reconnect the server does not accept in time (busy with the clients of an instance that failed, say) is a failed
/// attempt: the client tries again instead of giving up, unlike a first start, which fails.
/// </summary>
public sealed class ReconnectAcceptanceTimeoutTests(HeldReconnectApplication app) : IClassFixture<HeldReconnectApplication>
{
    [Fact]
    public async Task AReconnectNotAcceptedInTimeIsRetriedAndTheClientComesBack()
    {
        var name = Names.User("patient");
        var (options, tokens) = GatedClientOptions.For(app, name, ResilientChat.FastForever, HubProtocolKind.Json);
        // Long enough for the first start on a cold server and a loaded machine; the held reconnect times out anyway.
        options.AcceptTimeout = TimeSpan.FromSeconds(2);
        await using var chat = new ResilientChat(name, options, tokens);
        await chat.StartAsync();
        app.Lifetime.HoldNextConnectionOf(name);
        try
        {
            Assert.Equal(1, app.Dropper.Drop(name));
            await app.Lifetime.Held.WaitAsync(Timeouts.Default);
            var retry = await chat.States.NextAsync(change =>
                change is ReconnectingEvent { Error.Message: var error } && error.Contains("did not accept", StringComparison.Ordinal));
            var reconnected = await chat.NextStateAsync<ReconnectedEvent>();

            Assert.IsType<ReconnectingEvent>(retry);
            Assert.DoesNotContain(chat.History, change => change is GaveUpEvent);
            Assert.Equal(reconnected.ConnectionId, chat.Client.ConnectionId);
            Assert.Equal(ClientConnectionState.Connected, chat.Client.ConnectionState);
        }
        finally
        {
            app.Lifetime.Release();
        }
    }
}
