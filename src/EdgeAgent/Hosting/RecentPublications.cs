using EdgeVision.Pipeline;

namespace EdgeVision.EdgeAgent.Hosting;

/// <summary>
/// Sits between the pipeline and the real sink and remembers the last few frames handed on, for the
/// console summary ("what did it just publish?"). Keeps short strings only, never the frames.
/// </summary>
internal sealed class RecentPublications : IDetectionSink
{
    private readonly IDetectionSink _inner;
    private readonly Queue<string> _recent = new();
    private readonly Queue<string> _captions = new();
    private readonly int _capacity;
    private readonly Lock _gate = new();
    private long _published;

    public RecentPublications(IDetectionSink inner, int capacity = 4)
    {
        _inner = inner;
        _capacity = capacity;
    }

    public long Published => Interlocked.Read(ref _published);

    public async ValueTask PublishAsync(FrameDetections frame, CancellationToken cancellationToken)
    {
        await _inner.PublishAsync(frame, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _published);
        if (frame.Analytics is { } analytics)
        {
            foreach (var e in analytics.Events)
            {
                if (e.Caption is { } caption)
                {
                    Remember(_captions, $"{frame.Camera}: {caption}");
                }
            }
        }

        // Only every tenth frame is described: building the line costs more than the frame's other work here.
        if (frame.Sequence % 10 != 0)
        {
            return;
        }

        var objects = frame.Detections.Length == 0
            ? "nothing"
            : string.Join(", ", frame.Detections.GroupBy(d => d.Label).OrderByDescending(g => g.Count()).Select(g => $"{g.Count()} {g.Key}"));
        var line = $"{frame.Camera} #{frame.Sequence} {frame.CapturedAt:HH:mm:ss.f}: {objects}";
        Remember(_recent, line);
    }

    private void Remember(Queue<string> queue, string line)
    {
        lock (_gate)
        {
            queue.Enqueue(line);
            while (queue.Count > _capacity)
            {
                queue.Dequeue();
            }
        }
    }

    /// <summary>The last few captions, oldest first.</summary>
    public IReadOnlyList<string> RecentCaptions()
    {
        lock (_gate)
        {
            return _captions.ToArray();
        }
    }

    public IReadOnlyList<string> Recent()
    {
        lock (_gate)
        {
            return _recent.ToArray();
        }
    }
}
