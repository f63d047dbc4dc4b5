using System.Buffers;
using System.Text.Json;
using EdgeVision.EdgeAgent.Mqtt;
using EdgeVision.EdgeAgent.Mqtt.Outbox;
using EdgeVision.Pipeline;

namespace EdgeVision.Tests.Mqtt;

public sealed class StatsMessageTests
{
    internal static PipelineSnapshot Snapshot() => new(
        new DateTimeOffset(2026, 11, 26, 14, 0, 0, TimeSpan.Zero),
        "cpu",
        "nanodet-g",
        [new CameraSnapshot("cam1", true, 1000, 10, 5, 985, 1, 2, 24.987, 24.5) { Detected = 990, MotionSkipped = 4, Regions = 12, FilteredDetections = 43 }],
        new Dictionary<string, int> { ["capture:cam1"] = 1, ["publish"] = 0 },
        new Dictionary<string, int> { ["capture:cam1"] = 2, ["publish"] = 64 },
        new Dictionary<int, long> { [2] = 40, [1] = 7 },
        18.12345,
        [new StageLatency("inference", 18.12345, 17.5, 30.25, 41)],
        new Dictionary<string, long> { ["person"] = 321, ["car"] = 12 });

    [Fact]
    public void WriteTo_SnapshotAndCounters_WritesSnakeCaseSchemaV1()
    {
        var message = StatsMessage.From("dev1", Snapshot(), new MqttPublisherCounters(100, 2, 3, 1, true));

        var json = JsonSerializer.Serialize(JsonDocument.Parse(message.WriteTo(new ArrayBufferWriter<byte>())).RootElement);

        Assert.Equal(
            "{\"schema\":\"edgevision.stats\",\"version\":1,\"device\":\"dev1\",\"at\":\"2026-11-26T14:00:00Z\"," +
            "\"publisher\":{\"published\":100,\"failed\":2,\"dropped\":3,\"reconnects\":1,\"connected\":true}," +
            "\"execution_provider\":\"cpu\",\"model\":\"nanodet-g\"," +
            "\"cameras\":[{\"name\":\"cam1\",\"connected\":true,\"captured\":1000,\"skipped\":10,\"dropped\":5,\"processed\":985,\"reconnects\":1,\"corrupt_frames\":2,\"captured_fps\":24.99,\"processed_fps\":24.5,\"detected\":990,\"motion_skipped\":4,\"regions\":12,\"filtered_detections\":43}]," +
            "\"queues\":{\"capture:cam1\":{\"depth\":1,\"capacity\":2},\"publish\":{\"depth\":0,\"capacity\":64}}," +
            "\"batch_sizes\":{\"1\":7,\"2\":40},\"inference_mean_ms\":18.123," +
            "\"stages\":[{\"stage\":\"inference\",\"mean_ms\":18.123,\"p50_ms\":17.5,\"p99_ms\":30.25,\"max_ms\":41}]," +
            "\"detections_by_label\":{\"car\":12,\"person\":321}}",
            json);
    }

    [Fact]
    public void WriteTo_OutboxCounters_WritesEveryCounterUnderOutbox()
    {
        var outbox = new OutboxCounters(Pending: 4, PendingBytes: 2048, Accepted: 90, Delivered: 80, Replayed: 3, DroppedFull: 7, DroppedExpired: 2, Rejected: 1, Unsaved: 0, InFlight: 5, MaxInFlightSeen: 16);
        var message = StatsMessage.From("dev1", Snapshot(), new MqttPublisherCounters(100, 2, 3, 1, true), outbox);

        using var json = JsonDocument.Parse(message.WriteTo(new ArrayBufferWriter<byte>()));

        Assert.Equal(
            "{\"pending\":4,\"pending_bytes\":2048,\"accepted\":90,\"delivered\":80,\"replayed\":3,\"dropped_full\":7,\"dropped_expired\":2,\"rejected\":1,\"unsaved\":0,\"in_flight\":5,\"max_in_flight_seen\":16}",
            JsonSerializer.Serialize(json.RootElement.GetProperty("outbox")));
    }
}
