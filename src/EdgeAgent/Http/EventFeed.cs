using System.Net.ServerSentEvents;
using System.Text;
using System.Threading.Channels;
using EdgeVision.EdgeAgent.Mqtt;
using EdgeVision.Pipeline;
using EdgeVision.Pipeline.Analytics;
using OpenCvSharp;

namespace EdgeVision.EdgeAgent.Http;

/// <summary>
/// Events as they happen, for the page's live feed: each event in the JSON of the MQTT event topic, handed to
/// every connected viewer (a bounded queue each: a slow viewer loses its oldest events, never holds up the
/// pipeline), the most recent ones kept for a viewer that just arrived, and the best snapshot of each recent object.
/// </summary>
internal sealed class EventFeed : IFrameTap
{
    /// <summary>Events kept for viewers that connect later.</summary>
    public const int RecentEvents = 50;

    /// <summary>Objects whose best snapshot is kept (the oldest goes first).</summary>
    public const int KeptSnapshots = 256;

    /// <summary>The SSE event type of each event.</summary>
    public const string EventType = "event";

    /// <summary>The SSE event type of the first message, which only says the feed is open.</summary>
    public const string ReadyEventType = "ready";

    /// <summary>Events waiting for one viewer before its oldest are dropped.</summary>
    public const int ViewerQueue = 64;

    private readonly string _device;
    private readonly bool _enabled;
    private readonly Lock _gate = new();
    private readonly Queue<FeedEvent> _recent = new();
    private readonly Dictionary<string, byte[]> _snapshots = new(StringComparer.Ordinal);
    private readonly Queue<string> _snapshotOrder = new();
    private readonly List<Channel<FeedEvent>> _viewers = [];

    public EventFeed(string device, bool enabled = true)
    {
        _device = device;
        _enabled = enabled;
    }

    public int Viewers
    {
        get
        {
            lock (_gate)
            {
                return _viewers.Count;
            }
        }
    }

    public bool Wants(string camera) => _enabled;

    public void Offer(FrameDetections frame, Mat image, float scale)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (frame.Analytics is not { } analytics || (analytics.Events.Count == 0 && analytics.Snapshots.Count == 0))
        {
            return;
        }

        lock (_gate)
        {
            foreach (var snapshot in analytics.Snapshots)
            {
                if (!_snapshots.ContainsKey(snapshot.ObjectId))
                {
                    _snapshotOrder.Enqueue(snapshot.ObjectId);
                    while (_snapshotOrder.Count > KeptSnapshots)
                    {
                        _snapshots.Remove(_snapshotOrder.Dequeue());
                    }
                }

                _snapshots[snapshot.ObjectId] = snapshot.Jpeg;
            }

            foreach (var e in analytics.Events)
            {
                // Written as JSON by the first viewer that sends it, not here on the pipeline's analytics stage.
                var item = new FeedEvent(_device, e);
                _recent.Enqueue(item);
                while (_recent.Count > RecentEvents)
                {
                    _recent.Dequeue();
                }

                foreach (var viewer in _viewers)
                {
                    viewer.Writer.TryWrite(item);
                }
            }
        }
    }

    /// <summary>The best snapshot of a recent object, or null.</summary>
    public byte[]? Snapshot(string objectId)
    {
        lock (_gate)
        {
            return _snapshots.GetValueOrDefault(objectId);
        }
    }

    /// <summary>
    /// The recent events and then every new one until <paramref name="cancellationToken"/> ends the viewing;
    /// null when <paramref name="maxViewers"/> already watch.
    /// </summary>
    public IAsyncEnumerable<SseItem<string>>? Watch(int maxViewers, CancellationToken cancellationToken)
    {
        var viewer = Channel.CreateBounded<FeedEvent>(new BoundedChannelOptions(ViewerQueue) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_gate)
        {
            if (_viewers.Count >= maxViewers)
            {
                return null;
            }

            foreach (var item in _recent)
            {
                viewer.Writer.TryWrite(item);
            }

            _viewers.Add(viewer);
        }

        return ReadAsync(viewer, cancellationToken);
    }

    private async IAsyncEnumerable<SseItem<string>> ReadAsync(Channel<FeedEvent> viewer, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            // Sent at once, so the viewer has the response's headers before the first event, however long that takes.
            yield return new SseItem<string>(string.Empty, ReadyEventType);

            while (true)
            {
                FeedEvent item;
                try
                {
                    item = await viewer.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    yield break;
                }

                yield return new SseItem<string>(item.Json, EventType);
            }
        }
        finally
        {
            lock (_gate)
            {
                _viewers.Remove(viewer);
            }
        }
    }
}

/// <summary>An event of the feed, as JSON once one viewer needs it; every later viewer gets the same text.</summary>
internal sealed class FeedEvent(string device, TrackEvent e)
{
    private string? _json;

    // Two viewers may both write it at once; both get the same text, and one of them is kept.
    public string Json => _json ??= Encoding.UTF8.GetString(EventMessages.Event(device, e));
}
