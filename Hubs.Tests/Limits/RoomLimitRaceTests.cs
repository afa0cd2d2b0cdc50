using System.Collections.Concurrent;
using Hubs.Contracts;
using Hubs.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Hubs.Tests.Limits;

/// <summary>
/// With <c>Limits:MaxParallelInvocationsPerClient</c> above 1 a connection's joins and leaves run at the same time;
/// the per-connection room count must still match the rooms it is in.
/// </summary>
public sealed class RoomLimitRaceTests
{
    private const int RoomLimit = 2;

    /// <summary>Time for an overtaking leave to finish before the held join goes on (it takes milliseconds).</summary>
    private static readonly TimeSpan LeaveHeadStart = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task ALeaveThatOvertakesAJoinOfTheSameRoomDoesNotLetTheConnectionExceedItsRoomLimit()
    {
        await using var app = new HeldJoinsApplication();
        await using var session = await app.ConnectChatAsync(Names.User());
        var (first, second, third) = (Names.Room("held"), Names.Room(), Names.Room());

        // The join has passed the limit check and waits inside the pipeline; the leave of the same room comes meanwhile.
        // Unguarded, the leave finishes first (the connection is not in the room yet) and takes the room off the
        // count the join has just added it to. Guarded, it waits for the join: the bounded wait runs out, and the
        // leave then takes the connection out of the room.
        var join = session.Client.JoinRoomAsync(new JoinRoomRequest(first));
        await app.Held.Entered.NextAsync(room => room == first);
        var leave = session.Client.LeaveRoomAsync(new LeaveRoomRequest(first));
        await Task.WhenAny(leave, Task.Delay(LeaveHeadStart));
        app.Held.Release(first);
        await join.WaitAsync(Timeouts.Default);
        await leave.WaitAsync(Timeouts.Default);

        await session.Client.JoinRoomAsync(new JoinRoomRequest(second)).WaitAsync(Timeouts.Default);
        var refused = await Record.ExceptionAsync(() => session.Client.JoinRoomAsync(new JoinRoomRequest(third)).WaitAsync(Timeouts.Default));

        var roomsIn = 0;
        foreach (var room in new[] { first, second, third })
        {
            var members = await session.Client.GetRoomMembersAsync(new GetRoomMembersRequest(room)).WaitAsync(Timeouts.Default);
            roomsIn += members.Any(member => member.Id == session.UserName) ? 1 : 0;
        }
        Assert.True(roomsIn <= RoomLimit, $"The connection is in {roomsIn} rooms; the limit is {RoomLimit} (third join refused: {refused?.Message ?? "no"}).");
    }

    private sealed class HeldJoinsApplication : HubsApplication
    {
        public HeldJoins Held { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Limits:MaxParallelInvocationsPerClient", "4");
            builder.UseSetting("Limits:MaxRoomsPerConnection", RoomLimit.ToString(System.Globalization.CultureInfo.InvariantCulture));
            // Added after the server's own filters, so it runs inside them: after the room limit's check.
            builder.ConfigureTestServices(services => services.Configure<HubOptions>(hub => hub.AddFilter(Held)));
        }
    }

    /// <summary>Holds JoinRoom calls for rooms named "held-…" just before the hub method until the test releases them.</summary>
    private sealed class HeldJoins : IHubFilter
    {
        private readonly ConcurrentDictionary<string, TaskCompletionSource> _releases = new(StringComparer.Ordinal);

        public EventStream<string> Entered { get; } = new();

        public void Release(string room) => Gate(room).TrySetResult();

        public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
        {
            if (invocationContext.HubMethodArguments is [JoinRoomRequest { Room: { } room }] && room.StartsWith("held", StringComparison.Ordinal))
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
