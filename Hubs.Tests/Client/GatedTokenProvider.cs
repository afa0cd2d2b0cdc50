using Hubs.Tests.Infrastructure;

namespace Hubs.Tests.Client;

/// <summary>
/// An access-token provider the test can hold shut: the client calls it on every connect, so while it is held
/// the client cannot come back, and the test decides exactly when it does (no timing guesses).
/// </summary>
public sealed class GatedTokenProvider(Func<string?> token)
{
    private readonly Lock _lock = new();
    private TaskCompletionSource? _gate;
    private Exception? _failure;
    private TaskCompletionSource _waiting = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Connect attempts from now on wait until <see cref="Release"/>.</summary>
    public void Hold()
    {
        lock (_lock)
        {
            _gate ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Completes once a connect attempt is waiting at the gate.</summary>
    public Task AttemptWaiting
    {
        get
        {
            lock (_lock)
            {
                return _waiting.Task;
            }
        }
    }

    /// <summary>From now on every connect attempt fails with <paramref name="error"/>, like an identity provider that is down.</summary>
    public void FailWith(Exception error)
    {
        lock (_lock)
        {
            _failure = error;
        }
    }

    public void Release()
    {
        TaskCompletionSource? gate;
        lock (_lock)
        {
            gate = _gate;
            _gate = null;
        }
        gate?.TrySetResult();
    }

    public async Task<string?> GetTokenAsync()
    {
        Task? gate;
        lock (_lock)
        {
            gate = _gate?.Task;
            if (gate is not null)
            {
                _waiting.TrySetResult();
            }
        }
        if (gate is not null)
        {
            await gate.WaitAsync(Timeouts.Default * 2);
        }
        lock (_lock)
        {
            return _failure is null ? token() : throw _failure;
        }
    }
}
