using Hubs.Contracts;
using Hubs.Server.Scaleout;

namespace Hubs.Tests.ScaleOut;

/// <summary>The departures kept during a Redis outage stay bounded however connections come and go.</summary>
public sealed class OutageDeparturesTests
{
    [Fact]
    public void ConnectionsThatComeAndGoWhileOthersStayDoNotGrowTheQueue()
    {
        var departures = new OutageDepartures();
        departures.Add(Departure("stays"));

        for (var i = 0; i < 50_000; i++)
        {
            departures.Add(Departure($"churn-{i}"));
            departures.Remove($"churn-{i}");
        }

        Assert.InRange(departures.QueuedIds, 1, 2 + 1024 + 1);
        Assert.Equal(["stays"], departures.Snapshot().Select(d => d.ConnectionId));
    }

    [Fact]
    public void BeyondCapacityTheOldestDeparturesAreDroppedFirst()
    {
        var departures = new OutageDepartures();

        for (var i = 0; i < OutageDepartures.Capacity + 10; i++)
        {
            departures.Add(Departure($"c-{i}"));
        }

        var kept = departures.Snapshot().Select(d => d.ConnectionId).ToHashSet();
        Assert.Equal(OutageDepartures.Capacity, kept.Count);
        Assert.DoesNotContain("c-0", kept);
        Assert.DoesNotContain("c-9", kept);
        Assert.Contains("c-10", kept);
        Assert.Contains($"c-{OutageDepartures.Capacity + 9}", kept);
    }

    private static Departure Departure(string connectionId) => new(connectionId, new UserInfo("u", "U"), ["room"]);
}
