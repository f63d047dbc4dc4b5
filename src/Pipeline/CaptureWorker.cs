using System.Diagnostics;

namespace EdgeVision.Pipeline;

/// <summary>
/// One capture thread and the state its watchdog reads: when the current blocking call (an open or a read)
/// began and how long it may take. The watchdog abandons a worker whose call outlasts its limit; the thread
/// then keeps running until that call returns, sees <see cref="IsAbandoned"/> and ends, and the
/// <see cref="AbandonedCaptures"/> it was counted in says how many such threads are still blocked.
/// </summary>
internal sealed class CaptureWorker
{
    private const int Running = 0;
    private const int Abandoned = 1;
    private const int Exited = 2;

    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly AbandonedCaptures _abandoned;

    // Not disposed: an abandoned thread may still wait on it. One is made per stall, which is rare.
    private readonly CancellationTokenSource _cancellation;
    private long _callStartedAt;
    private long _callLimitTicks;
    private int _state;

    private CaptureWorker(CaptureChannel output, TimeSpan initialDelay, AbandonedCaptures abandoned, CancellationToken cancellationToken)
    {
        Output = output;
        InitialDelay = initialDelay;
        _abandoned = abandoned;
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    public CaptureChannel Output { get; }

    /// <summary>How long the thread waits before its first open (the reconnect backoff after a stall).</summary>
    public TimeSpan InitialDelay { get; }

    /// <summary>Cancelled when the source stops or the worker is abandoned.</summary>
    public CancellationToken Token => _cancellation.Token;

    /// <summary>Read by the thread itself after each call: it is still running, so its state is Running or Abandoned.</summary>
    public bool IsAbandoned => Volatile.Read(ref _state) == Abandoned;

    /// <summary>Completes when the thread ends, or at once when the worker is abandoned.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Starts a background thread named after the camera that runs <paramref name="body"/> with the new worker.</summary>
    public static CaptureWorker Start(
        string camera, CaptureChannel output, TimeSpan initialDelay, AbandonedCaptures abandoned, Action<CaptureWorker> body, CancellationToken cancellationToken)
    {
        var worker = new CaptureWorker(output, initialDelay, abandoned, cancellationToken);
        var thread = new Thread(() => worker.Run(body))
        {
            IsBackground = true,
            Name = "capture " + camera,
        };
        thread.Start();
        return worker;
    }

    /// <summary>Marks the start of a blocking call that may take up to <paramref name="limit"/>.</summary>
    public void BeginCall(TimeSpan limit)
    {
        Volatile.Write(ref _callLimitTicks, limit.Ticks);
        Volatile.Write(ref _callStartedAt, Stopwatch.GetTimestamp());
    }

    public void EndCall() => Volatile.Write(ref _callStartedAt, 0);

    /// <summary>How long the current open or read has been blocked, if that is past its limit.</summary>
    public TimeSpan? StalledCall()
    {
        var started = Volatile.Read(ref _callStartedAt);
        if (started == 0)
        {
            return null;
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        return elapsed.Ticks > Volatile.Read(ref _callLimitTicks) ? elapsed : null;
    }

    /// <summary>The limit of the call in progress, or null between calls.</summary>
    public TimeSpan? CurrentCallLimit() =>
        Volatile.Read(ref _callStartedAt) == 0 ? null : TimeSpan.FromTicks(Volatile.Read(ref _callLimitTicks));

    /// <summary>Gives up on the thread: its token is cancelled and <see cref="Completion"/> ends now, not when the call returns.</summary>
    public void Abandon()
    {
        // Counted before the state changes, so that the thread's exit, which uncounts it, can never come first.
        _abandoned.Add();
        if (Interlocked.CompareExchange(ref _state, Abandoned, Running) != Running)
        {
            // The thread had already ended: nothing is left blocked.
            _abandoned.Remove();
        }

        _cancellation.Cancel();
        _completion.TrySetResult();
    }

    private void Run(Action<CaptureWorker> body)
    {
        try
        {
            body(this);
        }
        finally
        {
            if (Interlocked.Exchange(ref _state, Exited) == Abandoned)
            {
                _abandoned.Remove();
            }

            _completion.TrySetResult();
        }
    }
}
