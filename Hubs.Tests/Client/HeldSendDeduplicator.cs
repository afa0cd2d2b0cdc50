using Hubs.Contracts;
using Hubs.Server.Chat;

namespace Hubs.Tests.Client;

/// <summary>
/// The server's real de-duplicator, with a pause after delivery of one chosen send: the message has gone out but
/// its ack is not yet recorded, so a repeat of it is "still in progress" until the test lets it finish.
/// </summary>
public sealed class HeldSendDeduplicator(ISendDeduplicator inner) : ISendDeduplicator
{
    private readonly TaskCompletionSource _delivered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _repeatRefused = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? _heldId;

    /// <summary>The send with this client message id will pause between delivery and completion.</summary>
    public void Hold(string clientMessageId) => _heldId = clientMessageId;

    /// <summary>The held send has been delivered and is paused.</summary>
    public Task Delivered => _delivered.Task;

    /// <summary>A repeat of the held send was told it is still in progress.</summary>
    public Task RepeatRefused => _repeatRefused.Task;

    public void Release() => _release.TrySetResult();

    public async Task<SendClaim> ClaimAsync(string userId, string clientMessageId, CancellationToken cancellationToken)
    {
        var claim = await inner.ClaimAsync(userId, clientMessageId, cancellationToken);
        if (clientMessageId == _heldId && claim.Status == SendClaimStatus.InProgress)
        {
            _repeatRefused.TrySetResult();
        }
        return claim;
    }

    public async Task CompleteAsync(string userId, string clientMessageId, MessageAck ack, CancellationToken cancellationToken)
    {
        if (clientMessageId == _heldId)
        {
            _delivered.TrySetResult();
            await _release.Task;
        }
        await inner.CompleteAsync(userId, clientMessageId, ack, cancellationToken);
    }

    public Task ReleaseAsync(string userId, string clientMessageId, CancellationToken cancellationToken) =>
        inner.ReleaseAsync(userId, clientMessageId, cancellationToken);
}
