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
        var settings = new Dictionary<string, string?>();
        if (enabled is not null)
        {
            settings["SlowConsumers:Enabled"] = enabled;
        }
        await using var app = HubsApplication.With(settings);
        await using var alice = await app.ConnectChatAsync(Names.User("alice"));
        var monitor = app.Services.GetRequiredService<SlowConsumerMonitor>();

        var buffered = monitor.BufferedBytes(alice.Client.ConnectionId!);

        Assert.Equal(guarded, buffered is not null);
        // Either way the connection works.
        await alice.Client.SendMessageAsync(new Hubs.Contracts.SendMessageRequest("hello"));
    }
}
