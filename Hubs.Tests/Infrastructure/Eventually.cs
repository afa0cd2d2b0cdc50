namespace Hubs.Tests.Infrastructure;

/// <summary>Waits for a condition on server state (not an event) to hold, checking often, bounded by a timeout.</summary>
public static class Eventually
{
    public static async Task HoldsAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Timeouts.Default);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Still not true after {timeout ?? Timeouts.Default}: {what}.");
            }
            await Task.Delay(20);
        }
    }
}
