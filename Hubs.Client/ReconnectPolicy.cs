namespace Hubs.Client;

/// <summary>
/// When a client retries a failed connect or reconnect: exponential backoff with jitter, a bounded number of
/// attempts (or forever). The same policy covers the first connect, so a server that is still starting is waited for.
/// </summary>
/// <remarks>
/// Attempt <c>n</c> (1-based) waits <c>min(InitialDelay × Multiplier^(n-1), MaxDelay)</c>, spread by ±<see cref="Jitter"/>
/// so that many clients dropped together do not come back in lockstep, and never more than <see cref="MaxDelay"/>.
/// </remarks>
public sealed record ReconnectPolicy
{
    /// <summary>5 attempts, first delay 1 s, max delay 5 s, jitter 0.5, doubling.</summary>
    public static ReconnectPolicy Default { get; } = new();

    /// <summary>Like <see cref="Default"/> but never gives up.</summary>
    public static ReconnectPolicy Forever { get; } = new() { MaxAttempts = null };

    /// <summary>Never retries: the first failure is final.</summary>
    public static ReconnectPolicy Never { get; } = new() { MaxAttempts = 0 };

    /// <summary>Retries after a failure before giving up; <c>null</c> retries forever.</summary>
    public int? MaxAttempts { get; init; } = 5;

    /// <summary>Delay before the first retry.</summary>
    public TimeSpan InitialDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Upper bound of any delay, jitter included.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Growth of the delay from one attempt to the next.</summary>
    public double Multiplier { get; init; } = 2;

    /// <summary>Random spread of each delay as a fraction of it, 0..1 (0.5: between half and one and a half times).</summary>
    public double Jitter { get; init; } = 0.5;

    /// <summary>The delay before retry <paramref name="attempt"/> (1-based), or <c>null</c> when the policy gives up.</summary>
    public TimeSpan? GetDelay(int attempt) => GetDelay(attempt, Random.Shared.NextDouble());

    /// <summary>As <see cref="GetDelay(int)"/> with the random sample (0..1) given, so tests can pin the jitter.</summary>
    internal TimeSpan? GetDelay(int attempt, double randomSample)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        if (attempt > MaxAttempts)
        {
            return null;
        }
        var exponential = InitialDelay.TotalMilliseconds * Math.Pow(Multiplier, Math.Min(attempt - 1, 64));
        var capped = Math.Min(exponential, MaxDelay.TotalMilliseconds);
        var jittered = capped * (1 + (Jitter * ((2 * randomSample) - 1)));
        return TimeSpan.FromMilliseconds(Math.Clamp(jittered, 0, MaxDelay.TotalMilliseconds));
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first setting that makes no sense.</summary>
    public void Validate()
    {
        if (MaxAttempts < 0)
        {
            throw new ArgumentException($"{nameof(MaxAttempts)} must be 0 or more, or null for forever (was {MaxAttempts}).", nameof(MaxAttempts));
        }
        if (InitialDelay < TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(InitialDelay)} must not be negative (was {InitialDelay}).", nameof(InitialDelay));
        }
        if (MaxDelay < InitialDelay)
        {
            throw new ArgumentException($"{nameof(MaxDelay)} ({MaxDelay}) must be at least {nameof(InitialDelay)} ({InitialDelay}).", nameof(MaxDelay));
        }
        if (!(Multiplier >= 1))
        {
            throw new ArgumentException($"{nameof(Multiplier)} must be 1 or more (was {Multiplier}).", nameof(Multiplier));
        }
        if (!(Jitter is >= 0 and <= 1))
        {
            throw new ArgumentException($"{nameof(Jitter)} must be between 0 and 1 (was {Jitter}).", nameof(Jitter));
        }
    }
}
