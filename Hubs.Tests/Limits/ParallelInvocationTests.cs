using System.Text.Json;
using Hubs.Contracts;
using Hubs.Tests.Infrastructure;

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
        await using var app = HeldCallsApplication(parallel: 1);
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
        await using var app = HeldCallsApplication(parallel: 2);
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

    private static HeldRoomCallsApplication<GetRoomMembersRequest> HeldCallsApplication(int parallel) =>
        new(request => request.Room, new Dictionary<string, string?>
        {
            ["Limits:MaxParallelInvocationsPerClient"] = parallel.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
}
