using System.Text.Json.Serialization;
using EdgeVision.EdgeAgent.Mqtt;

namespace EdgeVision.EdgeAgent.Http;

/// <summary>One camera in <c>GET /api/cameras</c>: never its source (a URL may carry a password).</summary>
/// <param name="Status"><c>online</c> or <c>offline</c>, as on the camera's MQTT status topic.</param>
/// <param name="Detecting">Detection on (<c>detect/state</c> ON) or paused.</param>
/// <param name="InView">Objects by label on the latest processed frame.</param>
internal sealed record CameraInfo(
    string Name,
    string Status,
    bool Detecting,
    double CapturedFps,
    double ProcessedFps,
    long Captured,
    long Detected,
    long MotionSkipped,
    long Dropped,
    long Regions,
    long FilteredDetections,
    DateTime? LastFrameAt,
    IReadOnlyDictionary<string, int> InView);

/// <summary>The answer of <c>/healthz</c> and <c>/readyz</c>: <c>ok</c>, or <c>unavailable</c> with every reason.</summary>
internal sealed record HealthReport(string Status, IReadOnlyList<string> Reasons);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(CameraInfo[]))]
[JsonSerializable(typeof(HealthReport))]
[JsonSerializable(typeof(StatsMessage))]
[JsonSerializable(typeof(CountSeries))]
internal sealed partial class HttpJsonContext : JsonSerializerContext;
