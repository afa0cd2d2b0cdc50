using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Hubs.Client;
using Hubs.Contracts;
using Hubs.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Hubs.Tests.Hostile;

[Collection(HostileCollection.Name)]
public sealed class RoomChurnTests(HostileServerFixture server, ITestOutputHelper output)
{
    private const int Rooms = 3_000;
    private const int Batch = 100;

    [Fact]
    public async Task ThousandsOfRoomsJoinedAndLeftLeaveNoRoomBehindWhileOthersChat()
    {
        await using var alice = await server.ConnectChatAsync(Names.User("alice"));
        await using var bob = await server.ConnectChatAsync(Names.User("bob"), HubProtocolKind.MessagePack);
        var prefix = Names.Room("churn");
        var churn = new HostileCase("rooms", $"{Rooms} rooms joined and left by one connection", async c =>
        {
            await using var s = await c.ConnectAsync();
            var joined = await CallInBatchesAsync(s, "join", i => HostileContext.Invocation($"join{i}", "JoinRoom", $$"""[{"room":"{{prefix}}-{{i}}"}]"""));
            var left = await CallInBatchesAsync(s, "leave", i => HostileContext.Invocation($"leave{i}", "LeaveRoom", $$"""[{"room":"{{prefix}}-{{i}}"}]"""));
            // A per-connection room limit may refuse some joins; whatever was joined must be left again.
            Assert.True(joined.Ok > 0, "No room could be joined: " + joined.FirstError);
            Assert.Equal(joined.Ok, left.Ok);
            return $"{joined.Ok} joined{(joined.FirstError is null ? "" : $", {Rooms - joined.Ok} refused (\"{joined.FirstError}\")")}, {left.Ok} left";
        });

        var outcome = await Bystanders.RunWhileTheyChatAsync(server, churn, alice, bob);
        var leftovers = (await AdminRoomsAsync()).Where(r => r.Room.StartsWith(prefix, StringComparison.Ordinal)).ToList();

        output.WriteLine($"{churn} -> {outcome}");
        Assert.Empty(leftovers);
    }

    /// <summary>Sends the calls 100 to a frame and reads each batch's answers before the next (a client that reads).</summary>
    private static async Task<(int Ok, string? FirstError)> CallInBatchesAsync(HostileSocket socket, string idPrefix, Func<int, string> call)
    {
        int ok = 0;
        string? firstError = null;
        for (var start = 0; start < Rooms; start += Batch)
        {
            var frame = new StringBuilder();
            for (var i = start; i < start + Batch; i++)
            {
                frame.Append(call(i)).Append(HostileContext.Separator[0]);
            }
            await socket.SendTextAsync(frame.ToString());
            for (var answered = 0; answered < Batch;)
            {
                var reply = await socket.NextAsync() ?? throw new InvalidOperationException("Closed during the room churn.");
                if (reply.Type == HubReply.Completion && reply.InvocationId!.StartsWith(idPrefix, StringComparison.Ordinal))
                {
                    answered++;
                    ok += reply.Error is null && !reply.Raw.Contains("\"ok\":false", StringComparison.Ordinal) ? 1 : 0;
                    firstError ??= reply.Error;
                }
            }
        }
        return (ok, firstError);
    }

    private async Task<IReadOnlyList<RoomOccupancy>> AdminRoomsAsync()
    {
        using var http = server.Http();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.Token(Names.User("ops"), "admin"));
        return await http.GetFromJsonAsync<List<RoomOccupancy>>(ApiRoutes.AdminRooms) ?? [];
    }
}
