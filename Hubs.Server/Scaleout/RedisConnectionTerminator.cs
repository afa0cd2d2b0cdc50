using System.Text.Json;
using Hubs.Server.Admin;
using Hubs.Server.Presence;
using StackExchange.Redis;

namespace Hubs.Server.Scaleout;

/// <summary>
/// Disconnects a user on every instance: the command is published on a Redis channel that each instance
/// (this one included) answers by closing its own connections of that user.
/// </summary>
internal sealed class RedisConnectionTerminator(
    IConnectionMultiplexer redis,
    RedisKeys keys,
    LocalConnectionTerminator local,
    IPresenceStore presence,
    RedisSubscriptions subscriptions,
    ILogger<RedisConnectionTerminator> logger) : BackgroundService, IConnectionTerminator
{
    private RedisChannel Channel => RedisChannel.Literal($"{keys.Prefix}:admin:disconnect");

    public async Task<int> DisconnectUserAsync(string userId, string reason, CancellationToken cancellationToken)
    {
        // The cluster-wide count comes from presence; the instances close their share asynchronously.
        var online = (await presence.GetOnlineUsersAsync(cancellationToken)).FirstOrDefault(user => user.User.Id == userId);
        if (online is null)
        {
            return 0;
        }
        await redis.GetSubscriber().PublishAsync(Channel, JsonSerializer.Serialize(new DisconnectCommand(userId, reason)));
        return online.Connections;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Subscribes in the background (retrying while Redis is down, so an instance still starts without it).
        using var subscription = subscriptions.Watch(Channel, async message =>
        {
            try
            {
                var command = JsonSerializer.Deserialize<DisconnectCommand>((string)message.Message!);
                if (command is not null)
                {
                    await local.DisconnectUserAsync(command.UserId, command.Reason, CancellationToken.None);
                }
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException)
            {
                ScaleoutLog.BadAdminCommand(logger, ex);
            }
        });
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, stoppingToken);
        }
        catch (OperationCanceledException)
        {
            // Shutting down: the subscription ends here.
        }
    }

    private sealed record DisconnectCommand(string UserId, string Reason);
}
