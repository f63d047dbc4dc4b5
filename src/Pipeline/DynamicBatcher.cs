using System.Threading.Channels;

namespace EdgeVision.Pipeline;

/// <summary>
/// Forms inference batches from one queue fed by every camera: waits for a first item, then takes whatever
/// else arrives until the batch is full or <c>maxWait</c> has passed since that first item. Under load the
/// queue already holds a full batch and nothing waits; when idle, a lone frame waits at most <c>maxWait</c>.
/// Not thread-safe: one consumer loop owns an instance.
/// </summary>
internal sealed class DynamicBatcher : IDisposable
{
    private readonly TimeSpan _maxWait;

    // Reused across batches; replaced only after its timer fired, which happens only for partial batches.
    private CancellationTokenSource _timer = new();

    public DynamicBatcher(int maxBatchSize, TimeSpan maxWait)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBatchSize);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWait, TimeSpan.Zero);
        MaxBatchSize = maxBatchSize;
        _maxWait = maxWait;
    }

    public int MaxBatchSize { get; }

    /// <summary>
    /// Fills the start of <paramref name="batch"/> and returns how many items it holds; 0 once
    /// <paramref name="reader"/> is completed and empty. The caller owns the items from then on.
    /// </summary>
    public async ValueTask<int> ReadBatchAsync<T>(ChannelReader<T> reader, T[] batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch.Length, MaxBatchSize);

        var count = 0;
        while (count == 0)
        {
            if (!await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return 0;
            }

            count = TakeAvailable(reader, batch, count);
        }

        if (count == MaxBatchSize || _maxWait == TimeSpan.Zero)
        {
            return count;
        }

        // The wait is bounded by maxWait, so it need not also watch the caller's token.
        _timer.CancelAfter(_maxWait);
        try
        {
            while (count < MaxBatchSize && await reader.WaitToReadAsync(_timer.Token).ConfigureAwait(false))
            {
                count = TakeAvailable(reader, batch, count);
            }
        }
        catch (OperationCanceledException) when (_timer.IsCancellationRequested)
        {
            // Waited long enough; run what we have.
        }
        finally
        {
            if (!_timer.TryReset())
            {
                _timer.Dispose();
                _timer = new CancellationTokenSource();
            }
        }

        return count;
    }

    public void Dispose() => _timer.Dispose();

    private int TakeAvailable<T>(ChannelReader<T> reader, T[] batch, int count)
    {
        while (count < MaxBatchSize && reader.TryRead(out var item))
        {
            batch[count++] = item;
        }

        return count;
    }
}
