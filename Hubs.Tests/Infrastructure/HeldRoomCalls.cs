using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Hubs.Tests.Infrastructure;

/// <summary>Rooms whose calls <see cref="HeldRoomCalls{TRequest}"/> holds.</summary>
public static class HeldRooms
{
    public const string Prefix = "held-";

    /// <summary>A new room whose calls are held.</summary>
    public static string New() => Names.Room("held");
}

/// <summary>
/// Holds hub calls taking <typeparamref name="TRequest"/> for rooms named "held-…" just before the hub method, until
/// the test releases the room. Added after the server's own filters, so it runs inside them (after their checks).
/// </summary>
public sealed class HeldRoomCalls<TRequest>(Func<TRequest, string?> roomOf) : IHubFilter
    where TRequest : class
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _releases = new(StringComparer.Ordinal);

    /// <summary>Rooms whose call has reached the hold.</summary>
    public EventStream<string> Entered { get; } = new();

    public void Release(string room) => Gate(room).TrySetResult();

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        if (invocationContext.HubMethodArguments is [TRequest request]
            && roomOf(request) is { } room
            && room.StartsWith(HeldRooms.Prefix, StringComparison.Ordinal))
        {
            await Entered.Add(room);
            await Gate(room).Task.WaitAsync(Timeouts.Default);
        }
        return await next(invocationContext);
    }

    private TaskCompletionSource Gate(string room) =>
        _releases.GetOrAdd(room, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}

/// <summary>The real server in memory with its own settings and a <see cref="HeldRoomCalls{TRequest}"/> filter.</summary>
public sealed class HeldRoomCallsApplication<TRequest>(Func<TRequest, string?> roomOf, IDictionary<string, string?> settings)
    : HubsApplication(settings, "Development")
    where TRequest : class
{
    public HeldRoomCalls<TRequest> Held { get; } = new(roomOf);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.Configure<HubOptions>(hub => hub.AddFilter(Held)));
    }
}
