using System.Text;
using System.Text.Json;
using EdgeVision.EdgeAgent.Mqtt;

namespace EdgeVision.Tests.Mqtt;

public sealed class DetectionMessageWriterTests
{
    [Fact]
    public void Write_FrameWithTwoDetections_WritesSchemaV1WithRoundedBoxesAndScores()
    {
        var writer = new DetectionMessageWriter("dev1");

        var json = Encoding.UTF8.GetString(writer.Write(MqttTestSupport.Frame()).Span);

        Assert.Equal(MqttTestSupport.FrameJson("dev1"), json);
    }

    [Fact]
    public void Write_LargeFrameThenSmallOne_SecondHoldsOnlyItsOwnBytes()
    {
        var reused = new DetectionMessageWriter("dev1");
        var large = MqttTestSupport.Frame() with { Detections = Enumerable.Repeat(MqttTestSupport.Frame().Detections[0], 50).ToArray() };
        var small = MqttTestSupport.Frame() with { Sequence = 43, Detections = [] };
        reused.Write(large);

        var second = reused.Write(small).ToArray();

        Assert.Equal(new DetectionMessageWriter("dev1").Write(small).ToArray(), second);
    }

    [Fact]
    public void Write_Output_ReadsBackThroughTheSourceGeneratedContext()
    {
        var payload = new DetectionMessageWriter("dev1").Write(MqttTestSupport.Frame());

        var message = JsonSerializer.Deserialize(payload.Span, MqttJsonContext.Default.DetectionMessage)!;

        Assert.Equal(
            ("edgevision.detections", 1, "dev1", "cam1", 42L, new DateTime(2026, 11, 26, 12, 27, 48, 125, DateTimeKind.Utc), DateTimeKind.Utc, 768, 576, "nanodet-g", 12.346),
            (message.Schema, message.Version, message.Device, message.Camera, message.Seq, message.CapturedAt, message.CapturedAt.Kind, message.Width, message.Height, message.Model, message.InferenceMs));
        Assert.Equal(
            [("person", 0, 0.8765, "10,20.1,110.6,300.3"), ("car", 2, 0.5, "400,100.1,768,576")],
            message.Detections.Select(d => (d.Label, d.ClassId, d.Score, string.Join(',', d.Box))));
    }

    [Fact]
    public void Write_SteadyState_AllocatesNothing()
    {
        var writer = new DetectionMessageWriter("dev1");
        var frame = MqttTestSupport.Frame();
        writer.Write(frame);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            writer.Write(frame);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
