using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using EdgeVision.EdgeAgent.Mqtt.Outbox;
using EdgeVision.Pipeline;

namespace EdgeVision.EdgeAgent.Mqtt;

/// <summary>
/// The payload of <c>&lt;prefix&gt;/&lt;device&gt;/stats</c>, schema <c>edgevision.stats</c> version 1: the pipeline's
/// snapshot plus the publisher's and the outbox's own counters. Its shape is this record's, not the pipeline's types, so a change
/// inside the pipeline does not silently change what subscribers read.
/// </summary>
internal sealed record StatsMessage(
    string Schema,
    int Version,
    string Device,
    DateTime At,
    MqttPublisherCounters Publisher,
    string ExecutionProvider,
    string Model,
    IReadOnlyList<CameraStats> Cameras,
    IReadOnlyDictionary<string, QueueStats> Queues,
    IReadOnlyDictionary<int, long> BatchSizes,
    double InferenceMeanMs,
    IReadOnlyList<StageStats> Stages,
    IReadOnlyDictionary<string, long> DetectionsByLabel,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] OutboxCounters? Outbox = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Store.StoreCounters? Store = null)
{
    public const string SchemaName = "edgevision.stats";

    public const int CurrentVersion = 1;

    public static StatsMessage From(string device, PipelineSnapshot snapshot, MqttPublisherCounters publisher, OutboxCounters? outbox = null, Store.StoreCounters? store = null)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var queues = new SortedDictionary<string, QueueStats>(StringComparer.Ordinal);
        foreach (var (name, depth) in snapshot.QueueDepths)
        {
            queues[name] = new QueueStats(depth, snapshot.QueueCapacities.TryGetValue(name, out var capacity) ? capacity : null);
        }

        foreach (var (name, capacity) in snapshot.QueueCapacities)
        {
            queues.TryAdd(name, new QueueStats(null, capacity));
        }

        return new StatsMessage(
            SchemaName,
            CurrentVersion,
            device,
            snapshot.At.UtcDateTime,
            publisher,
            snapshot.ExecutionProvider,
            snapshot.Model,
            snapshot.Cameras.Select(c => new CameraStats(
                c.Name, c.Connected, c.Captured, c.Skipped, c.Dropped, c.Processed, c.Reconnects, c.CorruptFrames,
                Math.Round(c.CapturedFps, 2), Math.Round(c.ProcessedFps, 2))
            {
                Detected = c.Detected,
                MotionSkipped = c.MotionSkipped,
                Regions = c.Regions,
                FilteredDetections = c.FilteredDetections,
            }).ToArray(),
            queues,
            new SortedDictionary<int, long>(snapshot.BatchSizes.ToDictionary()),
            Math.Round(snapshot.InferenceMeanMs, 3),
            snapshot.Stages.Select(s => new StageStats(
                s.Stage, Math.Round(s.MeanMs, 3), Math.Round(s.P50Ms, 3), Math.Round(s.P99Ms, 3), Math.Round(s.MaxMs, 3))).ToArray(),
            new SortedDictionary<string, long>(snapshot.DetectionsByLabel.ToDictionary(), StringComparer.Ordinal),
            outbox,
            store);
    }

    /// <summary>Serializes into <paramref name="buffer"/> (cleared first) with the source-generated context.</summary>
    public ReadOnlyMemory<byte> WriteTo(ArrayBufferWriter<byte> buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        buffer.ResetWrittenCount();
        using var json = new Utf8JsonWriter(buffer);
        JsonSerializer.Serialize(json, this, MqttJsonContext.Default.StatsMessage);
        return buffer.WrittenMemory;
    }
}

/// <summary>One camera in <see cref="StatsMessage"/>; rates are over the pipeline's last stats interval.</summary>
internal sealed record CameraStats(
    string Name,
    bool Connected,
    long Captured,
    long Skipped,
    long Dropped,
    long Processed,
    long Reconnects,
    long CorruptFrames,
    double CapturedFps,
    double ProcessedFps)
{
    /// <summary>Frames sent to the detector, whole or in regions.</summary>
    public long Detected { get; init; }

    /// <summary>Frames the detection gate skipped because nothing moved (also counted in <see cref="Skipped"/>).</summary>
    public long MotionSkipped { get; init; }

    /// <summary>Regions of large frames sent to the detector.</summary>
    public long Regions { get; init; }

    /// <summary>Detections dropped by the camera's label filters (score, size, shape or mask).</summary>
    public long FilteredDetections { get; init; }
}

/// <summary>Items waiting in one bounded queue, and its capacity; null where the pipeline reported only one of them.</summary>
internal sealed record QueueStats(int? Depth, int? Capacity);

internal sealed record StageStats(string Stage, double MeanMs, double P50Ms, double P99Ms, double MaxMs);

/// <summary>What the publisher has done since it started; part of every stats message.</summary>
/// <param name="Published">Messages the broker took (QoS 0: written to the socket; QoS 1: acknowledged with success).</param>
/// <param name="Failed">Publishes that threw, timed out or came back with a failure reason code.</param>
/// <param name="Dropped">Messages not even tried because the broker was not connected (detections are lossy by design).</param>
/// <param name="Reconnects">Connections made after the first one.</param>
/// <param name="Connected">Whether the client is connected right now.</param>
internal sealed record MqttPublisherCounters(long Published, long Failed, long Dropped, long Reconnects, bool Connected);
