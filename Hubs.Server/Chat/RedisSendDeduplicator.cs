using System.Globalization;
using Hubs.Contracts;
using Hubs.Server.Scaleout;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Hubs.Server.Chat;

/// <summary>Send de-duplication shared by every instance: one key per (user, clientMessageId).</summary>
/// <remarks>
/// A claim is an empty value that expires after Redis:SendClaimExpiry, so a send whose instance died blocks
/// the client's resend only briefly; a completed send holds "id|ticks" for Chat:DeduplicationWindow.
/// </remarks>
internal sealed class RedisSendDeduplicator(
    IConnectionMultiplexer redis,
    RedisKeys keys,
    IOptions<ChatOptions> chatOptions,
    IOptions<RedisOptions> redisOptions) : ISendDeduplicator
{
    // KEYS: the send. ARGV: claim lifetime in ms. Returns nil when claimed, "" when in progress, else the ack.
    private const string ClaimScript = """
        local current = redis.call('GET', KEYS[1])
        if current then return current end
        redis.call('SET', KEYS[1], '', 'PX', ARGV[1])
        return false
        """;

    // Deletes only a claim, never a completed ack.
    private const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) == '' then redis.call('DEL', KEYS[1]) end
        return 0
        """;

    private IDatabase Db => redis.GetDatabase();

    private TimeSpan ClaimLifetime => redisOptions.Value.SendClaimExpiry < chatOptions.Value.DeduplicationWindow
        ? redisOptions.Value.SendClaimExpiry
        : chatOptions.Value.DeduplicationWindow;

    public async Task<SendClaim> ClaimAsync(string userId, string clientMessageId, CancellationToken cancellationToken)
    {
        var current = await Db.ScriptEvaluateAsync(ClaimScript, [keys.Sent(userId, clientMessageId)], [(long)ClaimLifetime.TotalMilliseconds]);
        if (current.IsNull)
        {
            return new SendClaim(SendClaimStatus.Claimed);
        }
        var value = (string)current!;
        return value.Length == 0 ? new SendClaim(SendClaimStatus.InProgress) : new SendClaim(SendClaimStatus.AlreadySent, ParseAck(value));
    }

    public Task CompleteAsync(string userId, string clientMessageId, MessageAck ack, CancellationToken cancellationToken) =>
        Db.StringSetAsync(keys.Sent(userId, clientMessageId),
            string.Create(CultureInfo.InvariantCulture, $"{ack.Id}|{ack.Timestamp.Ticks}"), chatOptions.Value.DeduplicationWindow);

    public Task ReleaseAsync(string userId, string clientMessageId, CancellationToken cancellationToken) =>
        Db.ScriptEvaluateAsync(ReleaseScript, [keys.Sent(userId, clientMessageId)]);

    private static MessageAck ParseAck(string value)
    {
        var bar = value.IndexOf('|', StringComparison.Ordinal);
        return new MessageAck(
            long.Parse(value.AsSpan(0, bar), CultureInfo.InvariantCulture),
            new DateTime(long.Parse(value.AsSpan(bar + 1), CultureInfo.InvariantCulture), DateTimeKind.Utc));
    }
}
