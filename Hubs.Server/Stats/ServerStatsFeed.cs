using System.Runtime.CompilerServices;
using Hubs.Contracts;
using Hubs.Server.Presence;
using Hubs.Server.Rooms;

namespace Hubs.Server.Stats;

/// <summary>Takes <see cref="ServerStats"/> samples, once or as a timed stream.</summary>
public sealed class ServerStatsFeed(
    IPresenceStore presence,
    IRoomMembershipStore rooms,
    HubMetrics metrics,
    TimeProvider time,
    ILogger<ServerStatsFeed> logger)
{
    public async Task<ServerStats> SampleAsync(CancellationToken cancellationToken)
    {
        var users = await presence.GetOnlineUsersAsync(cancellationToken);
        var roomList = await rooms.GetRoomsAsync(cancellationToken);
        return new ServerStats(
            time.GetUtcNow().UtcDateTime,
            users.Sum(user => user.Connections),
            users.Count,
            roomList.Count,
            metrics.MessagesLastSecond,
            metrics.MessagesTotal,
            metrics.ActiveStatsStreams);
    }

    /// <summary>A sample now, then one per <paramref name="interval"/>, until <paramref name="cancellationToken"/> fires.</summary>
    /// <remarks>The stream counts as open from the first sample until the enumerator is disposed, whatever ends it.</remarks>
    public async IAsyncEnumerable<ServerStats> StreamAsync(string connectionId, TimeSpan interval,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // Created before the first sample, so every interval after it produces exactly one more.
        using var timer = new PeriodicTimer(interval, time);
        metrics.StatsStreamOpened();
        StatsLog.StreamOpened(logger, connectionId, interval);
        var ended = "cancelled";
        try
        {
            yield return await SampleAsync(cancellationToken);
            while (await WaitForTickAsync(timer, cancellationToken))
            {
                yield return await SampleAsync(cancellationToken);
            }
            ended = "timer stopped";
        }
        finally
        {
            metrics.StatsStreamClosed();
            StatsLog.StreamClosed(logger, connectionId, ended);
        }
    }

    // Cancellation is how every stream ends; turning it into "no more ticks" keeps it out of error logs.
    private static async Task<bool> WaitForTickAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
