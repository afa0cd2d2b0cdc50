using System.Text.Json;
using Hubs.Client;
using Hubs.Contracts;
using Hubs.Tests.Client;
using Hubs.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;

namespace Hubs.Tests.Limits;

/// <summary>
/// The per-connection budget (burst 3, one more per hour, closed at the sixth refusal) covers every call: real
/// methods through the hub filter, and calls SignalR cannot bind (unknown methods, wrong arguments), which hub
/// filters never see.
/// </summary>
public sealed class CallFloodTests(LimitsFixture fixture) : IClassFixture<LimitsFixture>
{
    private const string TooManyCalls = "Too many calls: at most 1 per 3600 s";
    private const string ClosedForFlooding = "Closed for flooding: more than 5 calls over the rate limit within 3600 s.";

    private HubsApplication App => fixture.App;

    public static TheoryData<string> UnboundCalls => new()
    {
        """{"type":1,"invocationId":"ID","target":"NoSuchMethod","arguments":[]}""",
        """{"type":1,"invocationId":"ID","target":"SendMessage","arguments":[1,2,3]}""",
    };

    [Theory]
    [MemberData(nameof(UnboundCalls))]
    public async Task CallsThatCannotBeBoundSpendTheSameBudgetAsRealCalls(string unboundCall)
    {
        await using var raw = await RawHubSocket.ConnectAsync(App, Names.User("prober"), "json");

        var answers = new List<string?>();
        for (var i = 1; i <= 3; i++)
        {
            answers.Add(await InvokeAsync(raw, unboundCall.Replace("ID", $"{i}", StringComparison.Ordinal)));
        }
        var realCall = await InvokeAsync(raw, """{"type":1,"invocationId":"4","target":"GetRoomMembers","arguments":[{"room":"lobby"}]}""");

        Assert.All(answers, answer => Assert.DoesNotContain("Too many calls", answer, StringComparison.Ordinal));
        Assert.All(answers, answer => Assert.StartsWith("Failed to invoke", answer, StringComparison.Ordinal));
        Assert.Contains(TooManyCalls, realCall, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OverMessagePackUnknownMethodsSpendTheSameBudgetToo()
    {
        await using var raw = await RawHubSocket.ConnectAsync(App, Names.User("prober"), "messagepack");

        var answers = new List<string?>();
        for (var i = 1; i <= 3; i++)
        {
            answers.Add(await InvokeMessagePackAsync(raw, [1, new Dictionary<string, string>(), $"{i}", "NoSuchMethod", Array.Empty<object>()]));
        }
        var realCall = await InvokeMessagePackAsync(raw,
            [1, new Dictionary<string, string>(), "4", nameof(IChatHub.GetRoomMembers), new object[] { new Dictionary<string, string> { ["room"] = "lobby" } }]);

        Assert.All(answers, answer => Assert.Contains("Method does not exist", answer, StringComparison.Ordinal));
        Assert.Contains(TooManyCalls, realCall, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownMethodCalledOverTheLimitIsRefusedWithTheRateLimitMessage()
    {
        await using var raw = await RawHubSocket.ConnectAsync(App, Names.User("prober"), "json");
        for (var i = 1; i <= 3; i++)
        {
            Assert.Null(await InvokeAsync(raw, $$"""{"type":1,"invocationId":"{{i}}","target":"GetRoomMembers","arguments":[{"room":"lobby"}]}"""));
        }

        var unknown = await InvokeAsync(raw, """{"type":1,"invocationId":"4","target":"NoSuchMethod","arguments":[]}""");

        Assert.Contains(TooManyCalls, unknown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AConnectionFloodingUnknownMethodsIsClosedWithTheReasonAndOthersCarryOn()
    {
        await using var bystander = await App.ConnectChatAsync(Names.User("bystander"));
        await using var raw = await RawHubSocket.ConnectAsync(App, Names.User("flooder"), "json");

        var errors = new List<string?>();
        for (var i = 1; i <= 8; i++)
        {
            errors.Add(await InvokeAsync(raw, $$"""{"type":1,"invocationId":"{{i}}","target":"NoSuchMethod","arguments":[]}"""));
        }
        await raw.SendJsonAsync("""{"type":1,"invocationId":"9","target":"NoSuchMethod","arguments":[]}""");
        var close = await NextMessageAsync(raw, type: 7);
        var ack = await bystander.Client.SendMessageAsync(new SendMessageRequest("still chatting"));

        Assert.All(errors[..3], error => Assert.Contains("Method does not exist", error, StringComparison.Ordinal));
        Assert.All(errors[3..], error => Assert.Contains(TooManyCalls, error, StringComparison.Ordinal));
        Assert.Equal(7, close.GetProperty("type").GetInt32());
        Assert.Contains(ClosedForFlooding, close.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(ack.Id, (await bystander.Events.Messages.NextAsync(m => m.Id == ack.Id)).Id);
    }

    [Fact]
    public async Task ATypedClientThatKeepsCallingOverTheLimitIsToldWhyAndDoesNotReconnect()
    {
        await using var flooder = await ResilientChat.ConnectAsync(App, Names.User("flooder"));
        for (var i = 0; i < 3; i++)
        {
            await flooder.Client.SendMessageAsync(new SendMessageRequest($"burst {i}"));
        }
        for (var i = 0; i < 5; i++)
        {
            var refused = await Assert.ThrowsAsync<HubException>(() => flooder.Client.SendMessageAsync(new SendMessageRequest("again")));
            Assert.Contains(TooManyCalls, refused.Message, StringComparison.Ordinal);
        }

        var last = await Assert.ThrowsAsync<HubException>(() => flooder.Client.SendMessageAsync(new SendMessageRequest("and again")));
        var gaveUp = (GaveUpEvent)await flooder.States.NextAsync(change => change is GaveUpEvent);

        Assert.Contains(ClosedForFlooding, last.Message, StringComparison.Ordinal);
        Assert.Contains(ClosedForFlooding, gaveUp.LastError?.Message, StringComparison.Ordinal);
        Assert.Equal(ClientConnectionState.Disconnected, flooder.Client.ConnectionState);
        Assert.DoesNotContain(flooder.History, change => change is ReconnectedEvent);
    }

    [Fact]
    public async Task AClientIgnoringTheNoticeIsClosedWithTheReasonAtItsNextMessage()
    {
        await using var raw = await RawHubSocket.ConnectAsync(App, Names.User("flooder"), "json");
        for (var i = 1; i <= 8; i++)
        {
            await InvokeAsync(raw, $$"""{"type":1,"invocationId":"{{i}}","target":"GetRoomMembers","arguments":[{"room":"lobby"}]}""");
        }

        await raw.SendJsonAsync("""{"type":1,"invocationId":"9","target":"GetRoomMembers","arguments":[{"room":"lobby"}]}""");
        var received = new List<JsonElement>();
        var refusal = await NextMessageAsync(raw, type: 3, received);
        await raw.SendJsonAsync("""{"type":6}""");
        var close = await NextMessageAsync(raw, type: 7);

        var notice = Assert.Single(received, m => m.GetProperty("target").GetString() == nameof(IChatClient.Disconnecting));
        Assert.Equal(ClosedForFlooding, notice.GetProperty("arguments")[0].GetProperty("reason").GetString());
        Assert.Contains(ClosedForFlooding, refusal.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(7, close.GetProperty("type").GetInt32());
        Assert.Contains(ClosedForFlooding, close.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    /// <summary>Sends one invocation and returns its completion's error, or null when it succeeded.</summary>
    private static async Task<string?> InvokeAsync(RawHubSocket raw, string invocation)
    {
        await raw.SendJsonAsync(invocation);
        var completion = await NextMessageAsync(raw, type: 3);
        return completion.TryGetProperty("error", out var error) ? error.GetString() : null;
    }

    /// <summary>Sends one MessagePack invocation and returns its completion's error (result kind 1), or null.</summary>
    private static async Task<string?> InvokeMessagePackAsync(RawHubSocket raw, object[] invocation)
    {
        await raw.SendMessagePackAsync(invocation);
        while (true)
        {
            var fields = MessagePack.MessagePackSerializer.Deserialize<object?[]>(
                await raw.NextMessageAsync(), MessagePack.Resolvers.ContractlessStandardResolver.Options);
            var type = Convert.ToInt32(fields[0], System.Globalization.CultureInfo.InvariantCulture);
            Assert.NotEqual(7, type);
            if (type == 3)
            {
                return Convert.ToInt32(fields[3], System.Globalization.CultureInfo.InvariantCulture) == 1 ? (string?)fields[4] : null;
            }
        }
    }

    /// <summary>
    /// The next hub message of <paramref name="type"/> (3 completion, 7 close, 1 invocation of a client method),
    /// skipping the others (pings, Welcome and presence events); a close when another type was awaited fails.
    /// </summary>
    private static async Task<JsonElement> NextMessageAsync(RawHubSocket raw, int type, List<JsonElement>? skipped = null)
    {
        while (true)
        {
            using var message = JsonDocument.Parse(await raw.NextMessageAsync());
            var received = message.RootElement.GetProperty("type").GetInt32();
            if (received == type)
            {
                return message.RootElement.Clone();
            }
            Assert.False(received == 7, $"Closed while awaiting a message of type {type}: {message.RootElement}");
            skipped?.Add(message.RootElement.Clone());
        }
    }
}
