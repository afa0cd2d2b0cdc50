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

    // Records an ack unless one is already there (a claim, or nothing, is replaced). KEYS: the send. ARGV: ack, ms.
    private const string RecordScript = """
        local current = redis.call('GET', KEYS[1])
        if current and current ~= '' then return 0 end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        return 1
        """;

    /// <summary>Marks an ack whose message reached only one instance's connections.</summary>
    private const string LocalOnlyMark = "|L";

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
        Db.StringSetAsync(keys.Sent(userId, clientMessageId), FormatAck(ack), chatOptions.Value.DeduplicationWindow);

    /// <summary>The room store script set this very key to this ack when it stored the message: nothing left to write.</summary>
    public Task CompleteRecordedAsync(string userId, string clientMessageId, MessageAck ack, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    /// <summary>Records an ack given while Redis was unreachable, for the rest of its window, unless one is already kept.</summary>
    internal Task RecordAsync(string userId, string clientMessageId, MessageAck ack, TimeSpan remaining) =>
        Db.ScriptEvaluateAsync(RecordScript, [keys.Sent(userId, clientMessageId)],
            [FormatAck(ack), Math.Max(1, (long)remaining.TotalMilliseconds)]);

    public Task ReleaseAsync(string userId, string clientMessageId, CancellationToken cancellationToken) =>
        Db.ScriptEvaluateAsync(ReleaseScript, [keys.Sent(userId, clientMessageId)]);

    private static string FormatAck(MessageAck ack) =>
        string.Create(CultureInfo.InvariantCulture, $"{ack.Id}|{ack.Timestamp.Ticks}{(ack.LocalOnly ? LocalOnlyMark : "")}");

    // "id|ticks" (also what the room message script records) or "id|ticks|L".
    private static MessageAck ParseAck(string value)
    {
        var localOnly = value.EndsWith(LocalOnlyMark, StringComparison.Ordinal);
        var ackPart = localOnly ? value.AsSpan(0, value.Length - LocalOnlyMark.Length) : value.AsSpan();
        var bar = ackPart.IndexOf('|');
        return new MessageAck(
            long.Parse(ackPart[..bar], CultureInfo.InvariantCulture),
            new DateTime(long.Parse(ackPart[(bar + 1)..], CultureInfo.InvariantCulture), DateTimeKind.Utc),
            localOnly);
    }
}
