using EdgeVision.Models;
using OpenCvSharp;

namespace EdgeVision.Pipeline;

/// <summary>
/// A frame buffer rented from a <see cref="FramePool"/>. It has exactly one owner at a time: whoever holds
/// it (a source, a queue, a stage) either passes it on or disposes it, which returns it to its pool.
/// The <see cref="Image"/> keeps its pixel memory between rentals, so a camera's frames reuse it.
/// </summary>
public sealed class PooledFrame : IDisposable
{
    private readonly FramePool _pool;
    private int _rented;

    internal PooledFrame(FramePool pool)
    {
        _pool = pool;
    }

    /// <summary>The pixels; decoders and resizers write into it in place.</summary>
    public Mat Image { get; } = new();

    public FrameInfo Info { get; set; }

    /// <summary>For a letterboxed frame: how the source frame was placed in the network input.</summary>
    public LetterboxTransform Transform { get; set; }

    /// <summary>
    /// For a letterboxed frame of a tracking camera: the full-resolution frame it was scaled from, kept so that
    /// snapshots are cut at the camera's own resolution. Owned by this frame and returned to its pool with it.
    /// </summary>
    public PooledFrame? Source { get; set; }

    /// <summary>The frame's position in its stream as the source gave it (media time, or time since the pipeline's epoch for a live source).</summary>
    public TimeSpan StreamTime { get; set; }

    /// <summary>
    /// For a crop of a larger frame sent to the detector on its own: where it lies in the frame (source pixels);
    /// empty for a whole frame. The crops of one frame travel one after another, numbered by
    /// <see cref="RegionIndex"/> of <see cref="RegionCount"/>; the first owns the full frame as its <see cref="Source"/>.
    /// </summary>
    public OpenCvSharp.Rect Region { get; set; }

    public int RegionIndex { get; set; }

    public int RegionCount { get; set; }

    /// <summary>Whether this buffer stands for its frame in the counters: a whole frame, or the first crop of one.</summary>
    public bool CountsAsFrame => RegionIndex == 0;

    /// <summary>
    /// Stream time of the last frame of this camera the detection gate skipped right before this one, or null:
    /// the tracker holds its objects still up to then.
    /// </summary>
    public TimeSpan? HeldUntil { get; set; }

    /// <summary>Gives the buffer back to its pool; a second call is a bug and throws.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _rented, 0) == 0)
        {
            throw new InvalidOperationException("frame buffer returned twice: it had two owners");
        }

        var source = Source;
        Source = null;
        source?.Dispose();
        _pool.Return(this);
    }

    internal void MarkRented()
    {
        Region = default;
        RegionIndex = 0;
        RegionCount = 0;
        HeldUntil = null;
        StreamTime = default;
        Volatile.Write(ref _rented, 1);
    }
}
