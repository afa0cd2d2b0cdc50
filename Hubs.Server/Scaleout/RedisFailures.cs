using StackExchange.Redis;

namespace Hubs.Server.Scaleout;

/// <summary>Errors that mean "Redis cannot be reached right now" (a timeout is not a RedisException).</summary>
internal static class RedisFailures
{
    public static bool IsUnavailable(Exception e) => e is RedisException or RedisTimeoutException;
}
