using System.Collections.Concurrent;
using System.Text.Json;
using Hubs.Contracts;
using Hubs.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Hubs.Tests.Limits;

/// <summary>
/// <c>Limits:MaxParallelInvocationsPerClient</c> is SignalR's MaximumParallelInvocationsPerClient. Over it SignalR
/// refuses nothing: it stops reading that connection until a running call finishes, so later calls wait their turn.
/// </summary>
public sealed class ParallelInvocationTests
{
    [Fact]
    public async Task WithTheDefaultOfOneACallWaitsForTheRunningCallOfItsConnection()
    {
        await using var app = new HeldCallsApplication(parallel: 1);
        await using var raw = await RawHubSocket.ConnectAsync(app, Names.User("serial"), "json");

        await raw.SendJsonAsync(MembersCall("1", "held-first"));
        await app.Held.Entered.NextAsync(room => room == "held-first");
        await raw.SendJsonAsync(MembersCall("2", "free"));
        app.Held.Release("held-first");

        Assert.Equal("1", await NextCompletionIdAsync(raw));
        Assert.Equal("2", await NextCompletionIdAsync(raw));
    }

    [Fact]
    public async Task WithTwoTwoCallsRunAtOnceAndAThirdWaitsForOneToFinish()
    {
        await using var app = new HeldCallsApplication(parallel: 2);
        await using var raw = await RawHubSocket.ConnectAsync(app, Names.User("parallel"), "json");

        await raw.SendJsonAsync(MembersCall("1", "held-a"));
        await raw.SendJsonAsync(MembersCall("2", "held-b"));
        // Both are inside the hub at the same time: nothing has been released yet.
        var running = new[] { await app.Held.Entered.NextAsync(), await app.Held.Entered.NextAsync() };
        await raw.SendJsonAsync(MembersCall("3", "free"));
        app.Held.Release("held-a");
        var afterFirstRelease = new[] { await NextCompletionIdAsync(raw), await NextCompletionIdAsync(raw) };
        app.Held.Release("held-b");

        Assert.Equal(["held-a", "held-b"], running.Order(StringComparer.Ordinal));
        Assert.Equal(["1", "3"], afterFirstRelease);
        Assert.Equal("2", await NextCompletionIdAsync(raw));
    }

    private static string MembersCall(string id, string room) =>
        $$"""{"type":1,"invocationId":"{{id}}","target":"{{nameof(IChatHub.GetRoomMembers)}}","arguments":[{"room":"{{room}}"}]}""";

    private static async Task<string> NextCompletionIdAsync(RawHubSocket raw)
    {
        while (true)
        {
            using var message = JsonDocument.Parse(await raw.NextMessageAsync());
            if (message.RootElement.GetProperty("type").GetInt32() == 3)
            {
                return message.RootElement.GetProperty("invocationId").GetString()!;
            }
        }
    }

    private sealed class HeldCallsApplication(int parallel) : HubsApplication
    {
        public HeldCalls Held { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Limits:MaxParallelInvocationsPerClient", parallel.ToString(System.Globalization.CultureInfo.InvariantCulture));
            builder.ConfigureTestServices(services => services.Configure<HubOptions>(hub => hub.AddFilter(Held)));
        }
    }

    /// <summary>Holds GetRoomMembers calls for rooms named "held-…" inside the hub pipeline until the test releases them.</summary>
    private sealed class HeldCalls : IHubFilter
    {
        private readonly ConcurrentDictionary<string, TaskCompletionSource> _releases = new(StringComparer.Ordinal);

        public EventStream<string> Entered { get; } = new();

        public void Release(string room) => Gate(room).TrySetResult();

        public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
        {
            if (invocationContext.HubMethodArguments is [GetRoomMembersRequest { Room: var room }] && room.StartsWith("held-", StringComparison.Ordinal))
            {
                await Entered.Add(room);
                await Gate(room).Task.WaitAsync(Timeouts.Default);
            }
            return await next(invocationContext);
        }

        private TaskCompletionSource Gate(string room) =>
            _releases.GetOrAdd(room, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
    }
}
