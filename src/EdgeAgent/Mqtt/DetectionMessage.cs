using System.Text.Json.Serialization;

namespace EdgeVision.EdgeAgent.Mqtt;

/// <summary>
/// The payload of <c>&lt;prefix&gt;/&lt;device&gt;/&lt;camera&gt;/detections</c>, schema <c>edgevision.detections</c>
/// version 1. <see cref="DetectionMessageWriter"/> writes it without building this object (it runs once per frame);
/// this type is the schema's reading side, for subscribers written in .NET and for the tests.
/// </summary>
internal sealed record DetectionMessage(
    string Schema,
    int Version,
    string Device,
    string Camera,
    long Seq,
    DateTime CapturedAt,
    int Width,
    int Height,
    string Model,
    double InferenceMs,
    IReadOnlyList<DetectedObject> Detections)
{
    public const string SchemaName = "edgevision.detections";

    public const int CurrentVersion = 1;
}

/// <summary>One object of a <see cref="DetectionMessage"/>; <see cref="Box"/> is x1, y1, x2, y2 in source pixels.</summary>
internal sealed record DetectedObject(string Label, int ClassId, double Score, IReadOnlyList<double> Box);

/// <summary>Source-generated System.Text.Json metadata for the agent's MQTT payloads (snake_case names).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(DetectionMessage))]
[JsonSerializable(typeof(StatsMessage))]
internal sealed partial class MqttJsonContext : JsonSerializerContext;
