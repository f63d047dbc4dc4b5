using System.Buffers;
using System.Text;
using EdgeVision.EdgeAgent.Mqtt;
using EdgeVision.Pipeline;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeVision.Tests.Mqtt;

/// <summary>
/// The detect command parser and handler in-process, fed what a broker would refuse to deliver (wildcards, NUL,
/// topics past 65 535 bytes) as well as what any client can send. No broker or connection is involved.
/// </summary>
public sealed class DetectCommandTests : IAsyncDisposable
{
    private const string Topic = "edgevision/dev/gate/detect/set";

    private readonly MqttTopics _topics = new("edgevision", "dev");
    private readonly CameraStates _states = new(["gate", "yard"]);
    private readonly RecordingLoggerFactory _logs = new();
    private readonly MqttPublisher _publisher;

    public DetectCommandTests()
    {
        // Never started: the handler only needs its topics and its connection's events.
        _publisher = new MqttPublisher(Options.Create(MqttTestSupport.OptionsFor(1, "dev")), _logs);
    }

    public ValueTask DisposeAsync() => _publisher.DisposeAsync();

    [Theory]
    [InlineData("ON", true)]
    [InlineData("OFF", false)]
    [InlineData("on", true)]
    [InlineData("oFf", false)]
    [InlineData("  ON\n", true)]
    [InlineData("\tOFF \r\n", false)]
    [InlineData("      OFF       ", false)]
    public void Parse_OnOrOffTrimmedAnyCase_IsThatCommand(string payload, bool detect)
    {
        var result = Parser().Parse(Topic, Bytes(payload), retained: false);

        Assert.Equal(new DetectCommandResult(new DetectCommand("gate", detect), null), result);
    }

    [Theory]
    [InlineData("edgevision/dev/door/detect/set", "ON", false, "unknown camera 'door'")]
    [InlineData("edgevision/dev/gate/detect/set", "ON", true, "camera 'gate': retained command ignored; publish commands without the retain flag")]
    [InlineData("edgevision/dev/gate/detect/set", "", false, "camera 'gate': payload '' is not ON or OFF")]
    [InlineData("edgevision/dev/gate/detect/set", "1", false, "camera 'gate': payload '1' is not ON or OFF")]
    [InlineData("edgevision/dev/gate/detect/set", "ONN", false, "camera 'gate': payload 'ONN' is not ON or OFF")]
    [InlineData("edgevision/dev/gate/detect/set", "O N", false, "camera 'gate': payload 'O N' is not ON or OFF")]
    [InlineData("edgevision/dev/gate/detect/set", "ON\0", false, "camera 'gate': payload contains the control character U+0000")]
    [InlineData("edgevision/dev/gate/detect/set", "\u001bON", false, "camera 'gate': payload contains the control character U+001B")]
    [InlineData("edgevision/dev/gate/detect/set", "OFF             x", false, "camera 'gate': payload is 17 bytes; at most 16 (ON or OFF)")]
    [InlineData("edgevision/dev/gate/detect/set", "{\"on\":true}", false, "camera 'gate': payload '{\"on\":true}' is not ON or OFF")]
    [InlineData("edgevision/dev/gate/detect/set", "'ON'", false, "camera 'gate': payload '\\u0027ON\\u0027' is not ON or OFF")]
    [InlineData("edgevision/dev/+/detect/set", "ON", false, "topic 'edgevision/dev/+/detect/set' contains '+', which no topic name may [MQTT-3.3.2-2, MQTT-4.7.3-2]")]
    [InlineData("edgevision/dev/#", "ON", false, "topic 'edgevision/dev/#' contains '#', which no topic name may [MQTT-3.3.2-2, MQTT-4.7.3-2]")]
    [InlineData("edgevision/dev/ga\0te/detect/set", "ON", false, "topic 'edgevision/dev/ga\\u0000te/detect/set' contains '\\u0000', which no topic name may [MQTT-3.3.2-2, MQTT-4.7.3-2]")]
    [InlineData("edgevision/dev/gate/x/detect/set", "ON", false, "topic 'edgevision/dev/gate/x/detect/set' has more than one level where the camera goes")]
    [InlineData("edgevision/dev//detect/set", "ON", false, "topic 'edgevision/dev//detect/set' is not edgevision/dev/+/detect/set")]
    [InlineData("edgevision/other/gate/detect/set", "ON", false, "topic 'edgevision/other/gate/detect/set' is not edgevision/dev/+/detect/set")]
    [InlineData("edgevision/dev/gate/detect/set/", "ON", false, "topic 'edgevision/dev/gate/detect/set/' is not edgevision/dev/+/detect/set")]
    [InlineData("", "ON", false, "empty topic")]
    public void Parse_BadInput_RefusedWithItsReason(string topic, string payload, bool retained, string reason)
    {
        var result = Parser().Parse(topic, Bytes(payload), retained);

        Assert.Equal(DetectCommandResult.Rejected(reason), result);
    }

    [Fact]
    public void Parse_InvalidUtf8_Refused()
    {
        var result = Parser().Parse(Topic, new ReadOnlySequence<byte>([0x4F, 0xC3, 0x28]), retained: false);

        Assert.Equal("camera 'gate': payload is not valid UTF-8", result.Rejection);
    }

    [Fact]
    public void Parse_Payload65536Bytes_RefusedBySizeWithoutEchoingIt()
    {
        var result = Parser().Parse(Topic, Bytes(new string('O', 65536)), retained: false);

        Assert.Equal("camera 'gate': payload is 65536 bytes; at most 16 (ON or OFF)", result.Rejection);
    }

    [Fact]
    public void Parse_Topic65536Bytes_RefusedByLength()
    {
        var topic = "edgevision/dev/" + new string('g', 65536 - "edgevision/dev//detect/set".Length) + "/detect/set";

        var result = Parser().Parse(topic, Bytes("ON"), retained: false);

        Assert.Equal(65536, Encoding.UTF8.GetByteCount(topic));
        Assert.Equal("topic is 65536 UTF-8 bytes; at most 65535 [MQTT-4.7.3-3]", result.Rejection);
    }

    [Fact]
    public void Parse_LongUnknownCameraLevel_QuotedCutToOneShortLine()
    {
        var result = Parser().Parse("edgevision/dev/" + new string('x', 60_000) + "\n/detect/set", Bytes("ON"), retained: false);

        Assert.Equal($"unknown camera '{new string('x', DetectCommandParser.MaxQuotedChars)}…'", result.Rejection);
    }

    [Theory]
    [InlineData("1e309")]
    [InlineData("-99999999999999")]
    [InlineData("[[[[[[[[[[[[[[[")]
    [InlineData("{\"a\":{\"a\":{\"a\"")]
    public void Parse_HugeNumbersAndDeepJsonThatFitTheSizeLimit_NotOnOrOff(string payload)
    {
        var result = Parser().Parse(Topic, Bytes(payload), retained: false);

        Assert.Equal($"camera 'gate': payload '{payload}' is not ON or OFF", result.Rejection);
    }

    [Fact]
    public void Parse_DeepJsonBeyondTheSizeLimit_RefusedBySize()
    {
        var deep = new string('[', 100_000) + new string(']', 100_000);

        var result = Parser().Parse(Topic, Bytes(deep), retained: false);

        Assert.Equal("camera 'gate': payload is 200000 bytes; at most 16 (ON or OFF)", result.Rejection);
    }

    [Fact]
    public void Handle_SeededFuzz_NeverThrowsAcceptsOnlyOnOrOffAndEveryReasonIsOneShortLine()
    {
        var handler = Handler();
        var random = new Random(20261126);
        string[] pieces = ["ON", "OFF", "on", " ", "\0", "+", "#", "/", "\n", "\r", "é", "\uFFFF", "{", "[", "\"", "9999999999999999999999", "gate", "detect", "set", "edgevision", "dev"];
        var accepted = 0;
        for (var i = 0; i < 5000; i++)
        {
            var topic = random.Next(3) switch
            {
                0 => Topic,
                1 => "edgevision/dev/" + Mix(random, pieces, random.Next(1, 6)) + "/detect/set",
                _ => Mix(random, pieces, random.Next(0, 12)),
            };
            byte[] payload;
            if (random.Next(2) == 0)
            {
                payload = new byte[random.Next(0, random.Next(2) == 0 ? 24 : 70_000)];
                random.NextBytes(payload);
            }
            else
            {
                payload = Encoding.UTF8.GetBytes(Mix(random, pieces, random.Next(0, 5)));
            }

            var result = handler.Handle(topic, new ReadOnlySequence<byte>(payload), retained: random.Next(10) == 0);

            if (result.Command is { } command)
            {
                accepted++;
                var text = Encoding.UTF8.GetString(payload).Trim();
                Assert.Equal(Topic, topic);
                Assert.Equal("gate", command.Camera);
                Assert.Equal(command.Detect ? "ON" : "OFF", text.ToUpperInvariant());
                Assert.Equal(command.Detect, _states.IsDetecting("gate"));
            }
            else
            {
                Assert.NotNull(result.Rejection);
                Assert.DoesNotContain('\n', result.Rejection);
                Assert.DoesNotContain('\0', result.Rejection);
                Assert.InRange(result.Rejection.Length, 1, 400);
            }
        }

        Assert.InRange(accepted, 1, 4999);
        Assert.Equal(5000, handler.Accepted + handler.Rejected);
        Assert.True(_states.IsDetecting("yard"));
    }

    [Fact]
    public void Handle_FloodOfBadCommands_LogsAtMostTheBudgetAndKeepsCounting()
    {
        var handler = Handler();

        for (var i = 0; i < 10_000; i++)
        {
            handler.Handle(Topic, Bytes("maybe"), retained: false);
        }

        var refusals = _logs.Logger.Entries.Where(e => e.Level == LogLevel.Warning && e.Message.StartsWith("MQTT command refused: ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(DetectCommandHandler.RejectionLinesPerMinute, refusals.Length);
        Assert.Equal("MQTT command refused: camera 'gate': payload 'maybe' is not ON or OFF", refusals[0].Message);
        Assert.Equal(10_000, handler.Rejected);
    }

    [Fact]
    public void Handle_OffThenOn_PausesAndResumesOnlyThatCameraAndLogsEachChangeOnce()
    {
        var handler = Handler();

        handler.Handle(Topic, Bytes("OFF"), retained: false);
        handler.Handle(Topic, Bytes("off"), retained: false);
        var pausedGate = !_states.IsDetecting("gate");
        var yardDetecting = _states.IsDetecting("yard");
        handler.Handle(Topic, Bytes("ON"), retained: false);

        Assert.True(pausedGate);
        Assert.True(yardDetecting);
        Assert.True(_states.IsDetecting("gate"));
        Assert.Equal(
            ["Camera gate: detection paused by command", "Camera gate: detection resumed by command"],
            _logs.Logger.Entries.Where(e => e.Message.StartsWith("Camera gate: detection", StringComparison.Ordinal)).Select(e => e.Message));
    }

    private DetectCommandParser Parser() => new(_topics, _states.Contains);

    private DetectCommandHandler Handler() => new(
        _publisher,
        _states,
        new CameraStatePublisher(_publisher, _states, _logs.CreateLogger<CameraStatePublisher>()),
        _logs.CreateLogger<DetectCommandHandler>());

    private static ReadOnlySequence<byte> Bytes(string text) => new(Encoding.UTF8.GetBytes(text));

    private static string Mix(Random random, string[] pieces, int count) =>
        string.Concat(Enumerable.Range(0, count).Select(_ => pieces[random.Next(pieces.Length)]));
}
