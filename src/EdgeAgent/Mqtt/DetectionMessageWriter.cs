using System.Buffers;
using System.Text.Json;
using EdgeVision.Pipeline;

namespace EdgeVision.EdgeAgent.Mqtt;

/// <summary>
/// Writes one frame's <see cref="DetectionMessage"/> JSON into a buffer it keeps and reuses, so a steady stream of
/// frames allocates no payload memory. Property names are written from pre-encoded UTF-8. One writer serves one
/// caller at a time; the bytes it returns stay valid until its next <see cref="Write"/>.
/// </summary>
internal sealed class DetectionMessageWriter : IDisposable
{
    private static readonly JsonEncodedText SchemaKey = JsonEncodedText.Encode("schema");
    private static readonly JsonEncodedText SchemaValue = JsonEncodedText.Encode(DetectionMessage.SchemaName);
    private static readonly JsonEncodedText VersionKey = JsonEncodedText.Encode("version");
    private static readonly JsonEncodedText DeviceKey = JsonEncodedText.Encode("device");
    private static readonly JsonEncodedText CameraKey = JsonEncodedText.Encode("camera");
    private static readonly JsonEncodedText SeqKey = JsonEncodedText.Encode("seq");
    private static readonly JsonEncodedText CapturedAtKey = JsonEncodedText.Encode("captured_at");
    private static readonly JsonEncodedText WidthKey = JsonEncodedText.Encode("width");
    private static readonly JsonEncodedText HeightKey = JsonEncodedText.Encode("height");
    private static readonly JsonEncodedText ModelKey = JsonEncodedText.Encode("model");
    private static readonly JsonEncodedText InferenceMsKey = JsonEncodedText.Encode("inference_ms");
    private static readonly JsonEncodedText DetectionsKey = JsonEncodedText.Encode("detections");
    private static readonly JsonEncodedText LabelKey = JsonEncodedText.Encode("label");
    private static readonly JsonEncodedText ClassIdKey = JsonEncodedText.Encode("class_id");
    private static readonly JsonEncodedText TrackIdKey = JsonEncodedText.Encode("track_id");
    private static readonly JsonEncodedText ScoreKey = JsonEncodedText.Encode("score");
    private static readonly JsonEncodedText BoxKey = JsonEncodedText.Encode("box");

    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Utf8JsonWriter _json;
    private readonly JsonEncodedText _device;

    public DetectionMessageWriter(string device)
    {
        _device = JsonEncodedText.Encode(device);
        _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });
    }

    public void Dispose() => _json.Dispose();

    /// <summary>The JSON of <paramref name="frame"/>; valid until the next call.</summary>
    public ReadOnlyMemory<byte> Write(FrameDetections frame)
    {
        ArgumentNullException.ThrowIfNull(frame);
        _buffer.ResetWrittenCount();
        _json.Reset(_buffer);

        _json.WriteStartObject();
        _json.WriteString(SchemaKey, SchemaValue);
        _json.WriteNumber(VersionKey, DetectionMessage.CurrentVersion);
        _json.WriteString(DeviceKey, _device);
        _json.WriteString(CameraKey, frame.Camera);
        _json.WriteNumber(SeqKey, frame.Sequence);

        // A UTC DateTime is written as ISO 8601 ending in 'Z' (a DateTimeOffset would end in "+00:00").
        _json.WriteString(CapturedAtKey, frame.CapturedAt.UtcDateTime);
        _json.WriteNumber(WidthKey, frame.Width);
        _json.WriteNumber(HeightKey, frame.Height);
        _json.WriteString(ModelKey, frame.Model);
        _json.WriteNumber(InferenceMsKey, Math.Round(frame.InferenceMs, 3, MidpointRounding.AwayFromZero));

        _json.WriteStartArray(DetectionsKey);
        var trackIds = frame.Analytics?.TrackIds;
        for (var i = 0; i < frame.Detections.Length; i++)
        {
            var detection = frame.Detections[i];
            _json.WriteStartObject();
            _json.WriteString(LabelKey, detection.Label);
            _json.WriteNumber(ClassIdKey, detection.ClassId);

            // Only detections a confirmed track holds carry an id; the first sighting of an object has none yet.
            if (trackIds is not null && trackIds[i] > 0)
            {
                _json.WriteNumber(TrackIdKey, trackIds[i]);
            }

            _json.WriteNumber(ScoreKey, RoundScore(detection.Score));
            _json.WriteStartArray(BoxKey);
            _json.WriteNumberValue(RoundPixel(detection.X1));
            _json.WriteNumberValue(RoundPixel(detection.Y1));
            _json.WriteNumberValue(RoundPixel(detection.X2));
            _json.WriteNumberValue(RoundPixel(detection.Y2));
            _json.WriteEndArray();
            _json.WriteEndObject();
        }

        _json.WriteEndArray();
        _json.WriteEndObject();
        _json.Flush();
        return _buffer.WrittenMemory;
    }

    /// <summary>A tenth of a pixel is finer than any detector's box; more digits are noise on the wire.</summary>
    public static double RoundPixel(float value) => Math.Round((double)value, 1, MidpointRounding.AwayFromZero);

    public static double RoundScore(float value) => Math.Round((double)value, 4, MidpointRounding.AwayFromZero);
}
