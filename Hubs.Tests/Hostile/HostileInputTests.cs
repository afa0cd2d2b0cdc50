using Hubs.Client;
using Hubs.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Hubs.Tests.Hostile;

[Collection(HostileCollection.Name)]
public sealed class HostileInputTests(HostileServerFixture server, ITestOutputHelper output)
{
    [Fact]
    public async Task EveryHostileInputIsRefusedOrClosedWhileOthersKeepChattingAndLoseNothing()
    {
        await using var alice = await server.ConnectChatAsync(Names.User("alice"));
        await using var bob = await server.ConnectChatAsync(Names.User("bob"), HubProtocolKind.MessagePack);
        var failures = new List<string>();
        foreach (var hostile in HostileCases.All)
        {
            try
            {
                var outcome = await Bystanders.RunWhileTheyChatAsync(server, hostile, alice, bob);
                output.WriteLine($"[pass] {hostile} -> {(outcome.Length > 400 ? outcome[..400] + "…" : outcome)}");
            }
            catch (Exception e)
            {
                failures.Add($"{hostile}: {e.GetType().Name}: {e.Message}");
                output.WriteLine($"[FAIL] {hostile} -> {e}");
            }
        }
        var summary = $"Hostile input: {HostileCases.All.Count} cases tried, {HostileCases.All.Count - failures.Count} passed, {failures.Count} failed.";
        output.WriteLine(summary);

        Assert.True(failures.Count == 0, summary + "\n" + string.Join("\n", failures));
    }
}
