using Hubs.Contracts;
using Hubs.Server.Chat;
using Hubs.Server.Scaleout;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Hubs.Tests.ScaleOut;

/// <summary>The per-instance journal that de-duplicates resends while Redis is unreachable.</summary>
public sealed class OutageSendJournalTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-25T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));

    private OutageSendJournal NewJournal() => new(Options.Create(new ChatOptions()), _time);

    [Fact]
    public void ASecondClaimOfTheSameSendWhileTheFirstRunsIsInProgressNotClaimedAgain()
    {
        var journal = NewJournal();

        var first = journal.Claim("alice", "m1");
        var second = journal.Claim("alice", "m1");

        Assert.Equal(SendClaimStatus.Claimed, first.Status);
        Assert.Equal(SendClaimStatus.InProgress, second.Status);
    }

    [Fact]
    public void AClaimOfACompletedSendGetsTheOriginalAckAndKeepsIt()
    {
        var journal = NewJournal();
        var ack = new MessageAck(42, _time.GetUtcNow().UtcDateTime, LocalOnly: true);
        journal.Claim("alice", "m1");
        journal.Complete("alice", "m1", ack);

        var again = journal.Claim("alice", "m1");

        Assert.Equal(SendClaimStatus.AlreadySent, again.Status);
        Assert.Equal(ack, again.Ack);
        Assert.Equal(ack, journal.Find("alice", "m1")?.Ack);
    }

    [Fact]
    public void AnExpiredEntryMayBeClaimedAfresh()
    {
        var journal = NewJournal();
        journal.Claim("alice", "m1");

        _time.Advance(new ChatOptions().DeduplicationWindow + TimeSpan.FromSeconds(1));

        Assert.Equal(SendClaimStatus.Claimed, journal.Claim("alice", "m1").Status);
    }

    [Fact]
    public void AFullJournalRefusesNewSendsAsTemporarilyUnavailableUntilItsEntriesExpire()
    {
        var journal = NewJournal();
        for (var i = 0; i < OutageSendJournal.Capacity; i++)
        {
            journal.Claim("alice", $"m{i}");
        }

        var refused = Assert.Throws<Microsoft.AspNetCore.SignalR.HubException>(() => journal.Claim("bob", "new"));
        // Sends it already holds are still answered.
        Assert.Equal(SendClaimStatus.InProgress, journal.Claim("alice", "m0").Status);
        _time.Advance(new ChatOptions().DeduplicationWindow + TimeSpan.FromSeconds(1));

        Assert.Equal(RedisUnavailableFilter.Message, refused.Message);
        Assert.Equal(SendClaimStatus.Claimed, journal.Claim("bob", "new").Status);
    }
}
