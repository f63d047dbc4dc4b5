namespace EdgeVision.Pipeline;

/// <summary>What a camera's numbers count: its captured frames (the detections' <c>seq</c>) or its events.</summary>
public enum SequenceKind
{
    Frames,
    Events,
}

/// <summary>
/// Where a camera's numbering continues from across restarts. The agent keeps it in its state directory and
/// hands the pipeline counters that reserve ahead durably before they give out a number past the reservation, so
/// a crash can leave a gap in the numbering but never use a number twice.
/// </summary>
public interface ISequenceSource
{
    /// <summary>The counter for <paramref name="camera"/>'s <paramref name="kind"/>; one per camera and kind for the pipeline's run.</summary>
    SequenceCounter Counter(string camera, SequenceKind kind);
}

/// <summary>Hands out consecutive numbers from a start, reserving ahead through a callback; thread-safe, and without a lock on the common path.</summary>
public sealed class SequenceCounter
{
    private readonly Func<long, long>? _reserve;
    private readonly Lock _gate = new();
    private long _next;
    private long _reserved;

    /// <param name="first">The first number handed out.</param>
    /// <param name="reserve">Called with a number about to be handed out that is not reserved yet; returns the new exclusive bound. Null: nothing to reserve.</param>
    public SequenceCounter(long first = 0, Func<long, long>? reserve = null)
    {
        _next = first;
        _reserve = reserve;
        _reserved = reserve is null ? long.MaxValue : first;
    }

    /// <summary>The numbering's epoch, carried into what is numbered; null when it does not outlive the run.</summary>
    public string? Epoch { get; init; }

    /// <summary>The agent's start within <see cref="Epoch"/>.</summary>
    public long? Boot { get; init; }

    /// <summary>The number the next call to <see cref="Next"/> returns.</summary>
    public long Peek => Interlocked.Read(ref _next);

    public long Next()
    {
        var number = Interlocked.Increment(ref _next) - 1;
        if (number >= Volatile.Read(ref _reserved))
        {
            lock (_gate)
            {
                if (number >= _reserved)
                {
                    var bound = _reserve!(number);
                    Volatile.Write(ref _reserved, Math.Max(bound, number + 1));
                }
            }
        }

        return number;
    }
}
