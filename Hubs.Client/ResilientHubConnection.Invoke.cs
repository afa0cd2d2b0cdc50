using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace Hubs.Client;

internal sealed partial class ResilientHubConnection
{
    // A call whose connection dies every time it is sent is likely what kills it: stop feeding it to the server.
    private const int MaxInterruptionsPerCall = 5;

    /// <summary>
    /// Invokes a hub method once the connection is usable. When the connection is lost before the answer arrives,
    /// the same request is sent again on the next connection, so every call must be safe to repeat
    /// (sends carry a client message id the server de-duplicates; the other hub methods are idempotent).
    /// </summary>
    /// <exception cref="Microsoft.AspNetCore.SignalR.HubException">
    /// The server refused the call, or closed the connection with an error while the call was in flight (e.g. a
    /// message over its size limit; the connection reconnects, the call is not sent again); its message is the
    /// server's reason, SignalR's original exception is the inner one.
    /// </exception>
    /// <exception cref="HubConnectionLostException">The client gave up reconnecting or was stopped first.</exception>
    public async Task<TResult> InvokeAsync<TResult>(string method, object request, CancellationToken cancellationToken)
    {
        long failedEpoch = 0;
        var inProgressRetries = 0;
        var interruptions = 0;
        while (true)
        {
            var epoch = await WaitReadyAsync(failedEpoch, cancellationToken);
            try
            {
                return await InvokeOnceAsync<TResult>(method, request, cancellationToken);
            }
            catch (HubException ex) when (HubErrors.ServerCloseReason(ex) is { } reason)
            {
                // The server closed the connection with an error while the call was in flight (e.g. a message over
                // its size limit): likely this call caused it, so it is not sent again, which would close the next
                // connection too. Calls in flight alongside fail the same way, as the two cannot be told apart.
                throw new HubException(reason, ex);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && HubErrors.IsSendInProgress(ex))
            {
                // The first copy (sent before a reconnect) is still being delivered; its ack will be ours.
                if (_policy.GetDelay(++inProgressRetries) is not { } delay)
                {
                    throw;
                }
                ClientLog.CallStillInProgress(_logger, method, (long)delay.TotalMilliseconds);
                await Task.Delay(delay, _time, cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && HubErrors.IsConnectionLoss(ex))
            {
                if (++interruptions > MaxInterruptionsPerCall)
                {
                    throw new HubConnectionLostException(
                        $"{method} lost its connection {interruptions} times in a row and was given up; it was not confirmed.", ex);
                }
                ClientLog.CallInterrupted(_logger, method, ex);
                failedEpoch = epoch.Number;
            }
        }
    }

    /// <summary>One attempt, counted while it awaits its answer (see <see cref="CallsAnsweredAsync"/>).</summary>
    private async Task<TResult> InvokeOnceAsync<TResult>(string method, object request, CancellationToken cancellationToken)
    {
        CallStarted();
        try
        {
            return await InvokeNowAsync<TResult>(method, request, cancellationToken);
        }
        finally
        {
            CallEnded();
        }
    }

    /// <summary>
    /// Invokes on the current connection without waiting for it to be usable (restore work runs before the gate
    /// opens) and without retrying. A refusal is a <see cref="HubException"/> with the server's own message.
    /// </summary>
    public async Task<TResult> InvokeNowAsync<TResult>(string method, object request, CancellationToken cancellationToken)
    {
        try
        {
            return await _connection.InvokeAsync<TResult>(method, request, cancellationToken);
        }
        catch (HubException ex) when (HubErrors.WithServerMessage(ex) is { } refusal)
        {
            throw refusal;
        }
    }

    /// <summary>
    /// A server-to-client stream, opened once the connection is usable. It is not resumed on a new connection (the
    /// items in between are gone): a lost connection ends the enumeration with its error. A refusal is a
    /// <see cref="HubException"/> with the server's own message.
    /// </summary>
    public async IAsyncEnumerable<TItem> StreamAsync<TItem>(string method, object request,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await WaitReadyAsync(0, cancellationToken);
        // SignalR's client tells the server to stop only when the stream's token is cancelled, not when the
        // reader walks away; cancelling on the way out covers both.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            await using var items = _connection.StreamAsync<TItem>(method, request, stop.Token).GetAsyncEnumerator(stop.Token);
            while (true)
            {
                try
                {
                    if (!await items.MoveNextAsync())
                    {
                        yield break;
                    }
                }
                catch (HubException ex) when (HubErrors.WithServerMessage(ex) is { } refusal)
                {
                    throw refusal;
                }
                yield return items.Current;
            }
        }
        finally
        {
            await stop.CancelAsync();
        }
    }

    /// <summary>The first usable connection newer than <paramref name="afterEpoch"/>.</summary>
    private async Task<Epoch> WaitReadyAsync(long afterEpoch, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task<Epoch> ready;
            lock (_gate)
            {
                ready = _ready.Task;
            }
            var epoch = await ready.WaitAsync(cancellationToken);
            if (epoch.Number > afterEpoch)
            {
                return epoch;
            }
            // The call already failed on this connection; its loss closes the gate before this completes.
            await epoch.Closed.WaitAsync(cancellationToken);
        }
    }
}
