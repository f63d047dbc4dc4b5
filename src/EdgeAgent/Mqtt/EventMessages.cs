using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using EdgeVision.Pipeline.Analytics;

namespace EdgeVision.EdgeAgent.Mqtt;

/// <summary>
/// Payloads of the analytics topics: <c>events</c> (schema <c>edgevision.event</c> v1, every field of the track
/// event in snake_case, the box as [x1,y1,x2,y2]), <c>captions</c> (schema <c>edgevision.caption</c> v1) and the
/// counts (a plain integer). Events are rare — a handful per track — so clarity wins over a hand-written writer.
/// </summary>
internal static class EventMessages
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },

        // Captions and zone names are read by people: keep quotes and '+' as they are (the payload is UTF-8 JSON, not HTML).
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static byte[] Event(string device, TrackEvent e)
    {
        var body = JsonSerializer.SerializeToNode(e, Options)!.AsObject();
        var message = new JsonObject
        {
            ["schema"] = "edgevision.event",
            ["version"] = 1,
            ["device"] = device,
        };
        foreach (var (key, value) in body.ToList())
        {
            body.Remove(key);
            message[key] = key == "box" ? Box(e.Box) : value;
        }

        return Encoding.UTF8.GetBytes(message.ToJsonString(Options));
    }

    public static byte[] Caption(string device, TrackEvent e) => Encoding.UTF8.GetBytes(new JsonObject
    {
        ["schema"] = "edgevision.caption",
        ["version"] = 1,
        ["device"] = device,
        ["camera"] = e.Camera,
        ["event_id"] = e.EventId,
        ["seq"] = e.Seq,
        ["type"] = JsonNamingPolicy.SnakeCaseLower.ConvertName(e.Type.ToString()),
        ["at"] = e.LastSeen.UtcDateTime,
        ["text"] = e.Caption,
    }.ToJsonString(Options));

    public static byte[] Summary(string device, string camera, string text) => Encoding.UTF8.GetBytes(new JsonObject
    {
        ["schema"] = "edgevision.caption",
        ["version"] = 1,
        ["device"] = device,
        ["camera"] = camera,
        ["type"] = "summary",
        ["at"] = DateTime.UtcNow,
        ["text"] = text,
    }.ToJsonString(Options));

    public static byte[] Count(CountChange change) => Encoding.UTF8.GetBytes(change.Value.ToString(CultureInfo.InvariantCulture));

    private static JsonArray Box(BoxF box) => new(
        DetectionMessageWriter.RoundPixel(box.X1),
        DetectionMessageWriter.RoundPixel(box.Y1),
        DetectionMessageWriter.RoundPixel(box.X2),
        DetectionMessageWriter.RoundPixel(box.Y2));
}
