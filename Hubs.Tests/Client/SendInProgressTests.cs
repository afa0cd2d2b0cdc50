using Hubs.Contracts;
using Hubs.Server.Chat;
using Hubs.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Hubs.Tests.Client;

/// <summary>The in-memory server with a <see cref="HeldSendDeduplicator"/> in front of its de-duplicator.</summary>
public sealed class HeldSendHubsApplication : DroppableHubsApplication
{
    public HeldSendDeduplicator Sends => Services.GetRequiredService<ISendDeduplicator>() as HeldSendDeduplicator
        ?? throw new InvalidOperationException("The held de-duplicator is not installed.");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<ISendDeduplicator>(provider =>
            new HeldSendDeduplicator(ActivatorUtilities.CreateInstance<InMemorySendDeduplicator>(provider))));
    }
}

public sealed class SendInProgressTests(HeldSendHubsApplication app) : IClassFixture<HeldSendHubsApplication>
{
    [Fact]
    public async Task ResendWhileTheFirstCopyIsStillBeingDeliveredWaitsAndGetsTheOriginalAck()
    {
        await using var alice = await ResilientChat.ConnectAsync(app, Names.User("alice"));
        await using var bob = await ResilientChat.ConnectAsync(app, Names.User("bob"));
        var room = Names.Room();
        await alice.Client.JoinRoomAsync(new JoinRoomRequest(room));
        await bob.Client.JoinRoomAsync(new JoinRoomRequest(room));
        var clientMessageId = Guid.NewGuid().ToString("N");
        app.Sends.Hold(clientMessageId);

        var send = alice.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "slow", clientMessageId));
        await app.Sends.Delivered.WaitAsync(Timeouts.Default);
        app.Dropper.Drop(alice.UserName);
        // Alice reconnects and re-sends; the server answers "still in progress" and she retries.
        await app.Sends.RepeatRefused.WaitAsync(Timeouts.Default);
        Assert.False(send.IsCompleted);
        app.Sends.Release();

        var ack = await send.WaitAsync(Timeouts.Default);
        var delivered = await bob.Events.RoomMessages.NextAsync();
        Assert.Equal((ack.Id, "slow"), (delivered.Id, delivered.Text));
        var marker = await bob.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "marker"));
        Assert.Equal([marker.Id], (await ReconnectTests.ReadUntilAsync(bob.Events.RoomMessages, marker.Id)).Select(message => message.Id));
    }
}
