using Hubs.Server.Limits;
using Hubs.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Hubs.Tests.Limits;

/// <summary><c>SlowConsumers:Enabled</c> decides whether connections get the bounded backlog.</summary>
public sealed class SlowConsumerSwitchTests
{
    [Theory]
    [InlineData(null, true)]
    [InlineData("true", true)]
    [InlineData("false", false)]
    public async Task ConnectionsGetTheSlowReaderGuardUnlessItIsSwitchedOff(string? enabled, bool guarded)
    {
        await using var app = HubsApplication.With("SlowConsumers:Enabled", enabled);
        await using var alice = await app.ConnectChatAsync(Names.User("alice"));
        var monitor = app.Services.GetRequiredService<SlowConsumerMonitor>();

        var buffered = monitor.BufferedBytes(alice.Client.ConnectionId!);

        Assert.Equal(guarded, buffered is not null);
        // A stuck reader must hit the guard's limit before stateful reconnect's buffer makes the writes wait.
        var hubOptions = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.SignalR.HubOptions<Hubs.Server.Chat.ChatHub>>>().Value;
        var limit = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SlowConsumerOptions>>().Value.MaxBufferedBytes;
        Assert.Equal(guarded, hubOptions.StatefulReconnectBufferSize > limit);
        // Either way the connection works.
        await alice.Client.SendMessageAsync(new Hubs.Contracts.SendMessageRequest("hello"));
    }
}
