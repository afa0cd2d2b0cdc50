using Hubs.Contracts;
using Hubs.Tests.Infrastructure;

namespace Hubs.Tests.TypeScript;

/// <summary>
/// The TypeScript client compiles against <c>clients/js/src/contracts.generated.ts</c>; these tests keep that file
/// equal to what Hubs.Contracts says, so the two cannot drift apart.
/// </summary>
public sealed class TypeScriptContractsTests
{
    /// <summary>Set to 1 to rewrite the committed file instead of comparing (what <c>npm run contracts</c> does).</summary>
    private const string UpdateVariable = "UPDATE_TS_CONTRACTS";

    private static readonly string GeneratedPath = RepositoryPaths.Combine("clients", "js", "src", "contracts.generated.ts");

    private static readonly string Generated = TypeScriptContractWriter.Generate(typeof(HubRoutes).Assembly);

    [Fact]
    public void CommittedTypeScriptContractsMatchHubsContracts()
    {
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            File.WriteAllText(GeneratedPath, Generated);
        }
        var committed = File.Exists(GeneratedPath) ? File.ReadAllText(GeneratedPath).ReplaceLineEndings("\n") : "";

        Assert.True(committed == Generated,
            $"{GeneratedPath} is out of date with Hubs.Contracts. Regenerate it with `npm run contracts` in clients/js " +
            $"(or {UpdateVariable}=1 dotnet test Hubs.Tests --filter {nameof(CommittedTypeScriptContractsMatchHubsContracts)}) and commit it.\n" +
            FirstDifference(committed, Generated));
    }

    [Fact]
    public void FieldsUseTheCamelCaseWireNamesAndTimestampsAreDates()
    {
        Assert.Contains(Block("ChatMessage"), Generated, StringComparison.Ordinal);
        Assert.Contains("  sender: UserInfo;\n", Generated, StringComparison.Ordinal);
        Assert.Contains("  timestamp: Date;\n", Generated, StringComparison.Ordinal);
        Assert.Contains("  room: string | null;\n", Generated, StringComparison.Ordinal);
        // Only what holds timestamps is revived: UserInfo has none, JoinRoomResult has some inside its history.
        Assert.Contains("  ChatMessage: { timestamp: \"Date\" },\n", Generated, StringComparison.Ordinal);
        Assert.Contains("  JoinRoomResult: { history: \"ChatMessage[]\" },\n", Generated, StringComparison.Ordinal);
        Assert.DoesNotContain("  UserInfo: {", Generated, StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultedRequestFieldsAreOptionalButResultFieldsAreAlwaysPresent()
    {
        Assert.Contains("  sinceId?: number | null;\n", Generated, StringComparison.Ordinal);
        Assert.Contains("  clientMessageId?: string | null;\n", Generated, StringComparison.Ordinal);
        Assert.Contains("  historyTruncated: boolean;\n", Generated, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryHubAndClientMethodHasTypedSignatureAndMetadata()
    {
        foreach (var method in typeof(IChatHub).GetMethods())
        {
            Assert.Contains($"  {method.Name}(request: {method.GetParameters()[0].ParameterType.Name}): Promise<", Generated, StringComparison.Ordinal);
            Assert.Contains($"  {method.Name}: {{ request: \"{method.GetParameters()[0].ParameterType.Name}\", result: ", Generated, StringComparison.Ordinal);
        }
        foreach (var method in typeof(IChatClient).GetMethods())
        {
            var payload = method.GetParameters()[0].ParameterType.Name;
            Assert.Contains($"  {method.Name}: \"{payload}\",\n", Generated, StringComparison.Ordinal);
        }
        Assert.Contains($"  Chat: \"{HubRoutes.Chat}\",\n", Generated, StringComparison.Ordinal);
        Assert.Contains($"  Token: \"{ApiRoutes.Token}\",\n", Generated, StringComparison.Ordinal);
    }

    private static string Block(string type) => $"export interface {type} {{\n";

    private static string FirstDifference(string committed, string generated)
    {
        var committedLines = committed.Split('\n');
        var generatedLines = generated.Split('\n');
        for (var i = 0; i < Math.Max(committedLines.Length, generatedLines.Length); i++)
        {
            var left = i < committedLines.Length ? committedLines[i] : "<end of file>";
            var right = i < generatedLines.Length ? generatedLines[i] : "<end of file>";
            if (left != right)
            {
                return $"First difference at line {i + 1}:\n  committed: {left}\n  expected:  {right}";
            }
        }
        return "";
    }
}
