namespace EdgeVision.Pipeline;

/// <summary>
/// Reusable frame buffers. Renting never blocks: when every buffer is out a new one is made, so the number
/// created is bounded by how many frames the queues and stages can hold at once, not by the frame count.
/// Thread-safe; a buffer returned after the pool is disposed releases its pixels instead.
/// </summary>
public sealed class FramePool : IDisposable
{
    private readonly Stack<PooledFrame> _free = new();
    private int _created;
    private int _outstanding;
    private bool _disposed;

    /// <summary>Buffers made since the pool was created.</summary>
    public int Created => Volatile.Read(ref _created);

    /// <summary>Buffers rented and not yet returned.</summary>
    public int Outstanding => Volatile.Read(ref _outstanding);

    public PooledFrame Rent()
    {
        PooledFrame? frame = null;
        lock (_free)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_free.TryPop(out frame))
            {
                _created++;
            }

            _outstanding++;
        }

        frame ??= new PooledFrame(this);
        frame.MarkRented();
        return frame;
    }

    public void Dispose()
    {
        lock (_free)
        {
            _disposed = true;
            while (_free.TryPop(out var frame))
            {
                frame.Image.Dispose();
            }
        }
    }

    internal void Return(PooledFrame frame)
    {
        lock (_free)
        {
            _outstanding--;
            if (!_disposed)
            {
                _free.Push(frame);
                return;
            }
        }

        frame.Image.Dispose();
    }
}
