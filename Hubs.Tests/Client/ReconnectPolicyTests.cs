using Hubs.Client;

namespace Hubs.Tests.Client;

public sealed class ReconnectPolicyTests
{
    [Fact]
    public void DefaultPolicyDoublesFromOneSecondUpToFiveThenGivesUpAfterFiveAttempts()
    {
        var policy = ReconnectPolicy.Default;

        // A random sample of 0.5 is the middle of the jitter range: no spread.
        var delays = Enumerable.Range(1, 6).Select(attempt => policy.GetDelay(attempt, 0.5)).ToList();

        Assert.Equal([1, 2, 4, 5, 5], delays.Take(5).Select(delay => delay!.Value.TotalSeconds));
        Assert.Null(delays[5]);
        Assert.Equal((5, 1.0, 5.0, 0.5), (policy.MaxAttempts!.Value, policy.InitialDelay.TotalSeconds, policy.MaxDelay.TotalSeconds, policy.Jitter));
    }

    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(1.0, 3.0)]
    public void JitterSpreadsADelayByHalfEitherWay(double sample, double expectedSeconds)
    {
        Assert.Equal(expectedSeconds, ReconnectPolicy.Default.GetDelay(2, sample)!.Value.TotalSeconds, 3);
    }

    [Fact]
    public void JitterNeverExceedsTheMaximumDelay()
    {
        Assert.Equal(5, ReconnectPolicy.Default.GetDelay(5, 1.0)!.Value.TotalSeconds);
        Assert.All(Enumerable.Range(1, 5), attempt => Assert.InRange(ReconnectPolicy.Default.GetDelay(attempt)!.Value, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void ForeverNeverGivesUpAndNeverRetriesAtAll()
    {
        Assert.Equal(TimeSpan.FromSeconds(5), ReconnectPolicy.Forever.GetDelay(10_000, 0.5));
        Assert.Null(ReconnectPolicy.Never.GetDelay(1, 0.5));
    }

    [Theory]
    [InlineData(-1, 1, 5, 2, 0.5, "MaxAttempts")]
    [InlineData(5, -1, 5, 2, 0.5, "InitialDelay")]
    [InlineData(5, 6, 5, 2, 0.5, "MaxDelay")]
    [InlineData(5, 1, 5, 0.5, 0.5, "Multiplier")]
    [InlineData(5, 1, 5, 2, 1.5, "Jitter")]
    public void InvalidPolicyIsRefusedWhenTheClientIsCreated(int attempts, double initial, double max, double multiplier, double jitter, string setting)
    {
        var policy = new ReconnectPolicy
        {
            MaxAttempts = attempts,
            InitialDelay = TimeSpan.FromSeconds(initial),
            MaxDelay = TimeSpan.FromSeconds(max),
            Multiplier = multiplier,
            Jitter = jitter,
        };

        var error = Assert.Throws<ArgumentException>(() => new ChatClient(new HubClientOptions { ServerUrl = new Uri("http://127.0.0.1:1"), Reconnect = policy }));

        Assert.Equal(setting, error.ParamName);
        Assert.StartsWith(setting, error.Message, StringComparison.Ordinal);
    }
}
