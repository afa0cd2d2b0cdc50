using System.Globalization;
using Hubs.Client.Cli;
using Hubs.Contracts;
using Hubs.Tests.Client;
using Hubs.Tests.Infrastructure;

namespace Hubs.Tests.Cli;

/// <summary>The console client against a real server process: scripted modes as real processes, the chat loop in process.</summary>
[Collection(KestrelClientCollection.Name)]
public sealed class CliTests(KestrelServerFixture fixture)
{
    [Fact]
    public async Task ReadModePrintsTheNextMessagesOfARoomAndExitsWithZero()
    {
        var server = await fixture.RunningServerAsync();
        var room = Names.Room();
        await using var bob = await ResilientChat.ConnectAsync(server, Names.User("bob"));
        await bob.Client.JoinRoomAsync(new JoinRoomRequest(room));
        using var reader = CliProcess.Start("--server", server.BaseAddress.ToString(), "--user", Names.User("carol"),
            "--read", "2", "--room", room, "--timeout", "60");

        await reader.Errors.NextAsync(line => line.StartsWith("-- reading", StringComparison.Ordinal), Timeouts.Default * 2);
        await bob.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "first"));
        await bob.Client.SendRoomMessageAsync(new SendRoomMessageRequest(room, "second"));

        Assert.Equal(ExitCodes.Ok, await reader.WaitForExitAsync());
        Assert.Equal([$"[{room}] {bob.UserName}: first", $"[{room}] {bob.UserName}: second"], reader.Output.Drain());
    }

    [Fact]
    public async Task SendModeDeliversOneMessageAndPrintsItsId()
    {
        var server = await fixture.RunningServerAsync();
        var room = Names.Room();
        await using var bob = await ResilientChat.ConnectAsync(server, Names.User("bob"));
        await bob.Client.JoinRoomAsync(new JoinRoomRequest(room));
        var carol = Names.User("carol");

        using var sender = CliProcess.Start("--server", server.BaseAddress.ToString(), "--user", carol, "--send", "hi from a script", "--room", room);

        Assert.Equal(ExitCodes.Ok, await sender.WaitForExitAsync());
        var received = await bob.Events.RoomMessages.NextAsync(message => message.Sender.Id == carol);
        Assert.Equal("hi from a script", received.Text);
        Assert.Equal([received.Id.ToString(CultureInfo.InvariantCulture)], sender.Output.Drain());
    }

    [Fact]
    public async Task SendModeExitsWithRefusedAndTheServersReasonWhenTheServerSaysNo()
    {
        var server = await fixture.RunningServerAsync();

        using var sender = CliProcess.Start("--server", server.BaseAddress.ToString(), "--user", Names.User("carol"), "--send", "hello?", "--to", Names.User("nobody"));

        Assert.Equal(ExitCodes.Refused, await sender.WaitForExitAsync());
        Assert.Contains(sender.Errors.Drain(), line => line.StartsWith("Refused: User '", StringComparison.Ordinal) && line.EndsWith("is not online.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReadModeExitsWithTimeoutWhenTooFewMessagesArrive()
    {
        var server = await fixture.RunningServerAsync();
        var (code, output, errors) = await RunInProcessAsync("", "--server", server.BaseAddress.ToString(), "--user", Names.User("carol"),
            "--read", "1", "--room", Names.Room(), "--timeout", "0.2");

        Assert.Equal(ExitCodes.Timeout, code);
        Assert.Empty(output);
        Assert.Contains("Timed out after 0.2 s with 0 of 1 messages.", errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ExitCodes.Usage, "--send", "x")]
    [InlineData(ExitCodes.Usage, "--user", "carol", "--read", "zero")]
    [InlineData(ExitCodes.Usage, "--user", "carol", "--send", "x", "--read", "1")]
    [InlineData(ExitCodes.Usage, "--user", "carol", "--room", "r", "--to", "bob", "--send", "x")]
    public async Task BadArgumentsPrintUsageAndExitWithOne(int expected, params string[] args)
    {
        var (code, _, errors) = await RunInProcessAsync("", args);

        Assert.Equal(expected, code);
        Assert.Contains("Usage:", errors, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Unknown option: --bogus", "--user", "carol", "--bogus")]
    [InlineData("Unknown option: --bogus", "--user", "carol", "--bogus", "x")]
    [InlineData("Bad value for --read: zero", "--user", "carol", "--read", "zero")]
    [InlineData("--room needs a value.", "--user", "carol", "--room")]
    public async Task BadArgumentsAreExplained(string explanation, params string[] args)
    {
        var (code, _, errors) = await RunInProcessAsync("", args);

        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(explanation, errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AServerThatIsNotThereExitsWithUnavailable()
    {
        var (code, _, errors) = await RunInProcessAsync("", "--server", $"http://127.0.0.1:{ServerProcess.FreePort()}", "--user", "carol", "--send", "x");

        Assert.Equal(ExitCodes.Unavailable, code);
        Assert.Contains("Could not log in", errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InteractiveCommandsJoinTalkListAndLeave()
    {
        var server = await fixture.RunningServerAsync();
        var room = Names.Room();
        await using var bob = await ResilientChat.ConnectAsync(server, Names.User("bob"));
        await bob.Client.JoinRoomAsync(new JoinRoomRequest(room));
        var carol = Names.User("carol");
        var script = string.Join('\n',
            $"/join {room}",
            "hello room",
            "/who",
            "/rooms",
            $"/dm {bob.UserName} psst",
            "/dm nobody-here hello",
            "/nope",
            "/leave",
            "hello everyone",
            "/quit",
            "never sent");

        var (code, output, errors) = await RunInProcessAsync(script, "--server", server.BaseAddress.ToString(), "--user", carol);

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal("hello room", (await bob.Events.RoomMessages.NextAsync(message => message.Sender.Id == carol)).Text);
        Assert.Equal("psst", (await bob.Events.DirectMessages.NextAsync(message => message.Sender.Id == carol)).Text);
        Assert.Equal("hello everyone", (await bob.Events.Messages.NextAsync(message => message.Sender.Id == carol)).Text);
        Assert.Equal(room, (await bob.Events.UserLeft.NextAsync(change => change.User.Id == carol)).Room);
        var members = string.Join(", ", new[] { bob.UserName, carol }.Order(StringComparer.Ordinal));
        Assert.Contains($"-- joined {room} ({members})", output, StringComparison.Ordinal);
        Assert.Contains($"-- in {room}: {members}", output, StringComparison.Ordinal);
        Assert.Contains($"-- rooms: {room} (current)", output, StringComparison.Ordinal);
        Assert.Contains($"-- left {room}; now in no room", output, StringComparison.Ordinal);
        Assert.Contains("error: User 'nobody-here' is not online.", errors, StringComparison.Ordinal);
        Assert.Contains("error: unknown or incomplete command '/nope'", errors, StringComparison.Ordinal);
        Assert.Contains("-- connected", errors, StringComparison.Ordinal);
        Assert.DoesNotContain("never sent", output, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Output, string Errors)> RunInProcessAsync(string input, params string[] args)
    {
        using var output = new StringWriter();
        using var errors = new StringWriter();
        var code = await ChatCli.RunAsync(args, new StringReader(input), output, errors, CancellationToken.None).WaitAsync(Timeouts.Default * 2);
        return (code, output.ToString(), errors.ToString());
    }
}
