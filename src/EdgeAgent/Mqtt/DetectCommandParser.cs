using System.Buffers;
using System.Globalization;
using System.Text;

namespace EdgeVision.EdgeAgent.Mqtt;

/// <summary>A valid command: run detection on <paramref name="Camera"/> or pause it.</summary>
internal readonly record struct DetectCommand(string Camera, bool Detect);

/// <summary>Either a command or the one-line reason it was refused.</summary>
internal readonly record struct DetectCommandResult(DetectCommand? Command, string? Rejection)
{
    public static DetectCommandResult Rejected(string reason) => new(null, reason);
}

/// <summary>
/// Reads <c>&lt;prefix&gt;/&lt;device&gt;/&lt;camera&gt;/detect/set</c> messages. Anyone who can publish to the broker can
/// send one, so everything is checked before it touches a camera: the topic (no wildcard or NUL, at most
/// 65 535 bytes, exactly one camera level naming a configured camera), the retain flag, and the payload: at most
/// <see cref="MaxPayloadBytes"/> bytes of valid UTF-8 without control characters that, trimmed, is <c>ON</c> or
/// <c>OFF</c> in any case. A refusal quotes at most <see cref="MaxQuotedChars"/> characters of what it got, with
/// control characters escaped, so a reason always fits on one short log line.
/// </summary>
internal sealed class DetectCommandParser
{
    /// <summary>"OFF" plus generous room for whitespace; anything longer is not a switch.</summary>
    public const int MaxPayloadBytes = 16;

    public const int MaxQuotedChars = 64;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly MqttTopics _topics;
    private readonly Func<string, bool> _isCamera;

    /// <param name="isCamera">True for the name of a configured, enabled camera.</param>
    public DetectCommandParser(MqttTopics topics, Func<string, bool> isCamera)
    {
        _topics = topics ?? throw new ArgumentNullException(nameof(topics));
        _isCamera = isCamera ?? throw new ArgumentNullException(nameof(isCamera));
    }

    public DetectCommandResult Parse(string? topic, ReadOnlySequence<byte> payload, bool retained)
    {
        if (TopicProblem(topic, out var camera) is { } topicProblem)
        {
            return DetectCommandResult.Rejected(topicProblem);
        }

        if (retained)
        {
            // A retained command would act again on every restart and resubscription, long after it was sent.
            return DetectCommandResult.Rejected($"camera '{camera}': retained command ignored; publish commands without the retain flag");
        }

        if (payload.Length > MaxPayloadBytes)
        {
            return DetectCommandResult.Rejected($"camera '{camera}': payload is {payload.Length} bytes; at most {MaxPayloadBytes} (ON or OFF)");
        }

        string text;
        try
        {
            text = StrictUtf8.GetString(payload.ToArray());
        }
        catch (DecoderFallbackException)
        {
            return DetectCommandResult.Rejected($"camera '{camera}': payload is not valid UTF-8");
        }

        foreach (var c in text)
        {
            if (char.IsControl(c) && c is not (' ' or '\t' or '\r' or '\n'))
            {
                return DetectCommandResult.Rejected($"camera '{camera}': payload contains the control character U+{(int)c:X4}");
            }
        }

        var value = text.Trim();
        if (value.Equals("ON", StringComparison.OrdinalIgnoreCase))
        {
            return new DetectCommandResult(new DetectCommand(camera, true), null);
        }

        if (value.Equals("OFF", StringComparison.OrdinalIgnoreCase))
        {
            return new DetectCommandResult(new DetectCommand(camera, false), null);
        }

        return DetectCommandResult.Rejected($"camera '{camera}': payload '{Quote(text)}' is not ON or OFF");
    }

    /// <summary>
    /// <paramref name="text"/> made safe for one log line: at most <see cref="MaxQuotedChars"/> characters, control
    /// characters and quotes as <c>\uXXXX</c>, an ellipsis when cut.
    /// </summary>
    public static string Quote(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new StringBuilder(Math.Min(text.Length, MaxQuotedChars) + 8);
        foreach (var c in text.Length > MaxQuotedChars ? text.AsSpan(0, MaxQuotedChars) : text.AsSpan())
        {
            if (char.IsControl(c) || c is '\'' || char.IsSurrogate(c))
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        return text.Length > MaxQuotedChars ? builder.Append('…').ToString() : builder.ToString();
    }

    private string? TopicProblem(string? topic, out string camera)
    {
        camera = string.Empty;
        if (string.IsNullOrEmpty(topic))
        {
            return "empty topic";
        }

        var bytes = MqttTopics.Utf8Length(topic);
        if (bytes > MqttTopics.MaxUtf8Bytes)
        {
            return $"topic is {bytes} UTF-8 bytes; at most {MqttTopics.MaxUtf8Bytes} [MQTT-4.7.3-3]";
        }

        var bad = topic.IndexOfAny(['+', '#', '\0']);
        if (bad >= 0)
        {
            return $"topic '{Quote(topic)}' contains '{Quote(topic[bad].ToString())}', which no topic name may [MQTT-3.3.2-2, MQTT-4.7.3-2]";
        }

        var prefix = _topics.DevicePrefix;
        var suffix = "/" + MqttTopics.DetectCommandSuffix;
        if (topic.Length <= prefix.Length + suffix.Length
            || !topic.StartsWith(prefix, StringComparison.Ordinal)
            || !topic.EndsWith(suffix, StringComparison.Ordinal))
        {
            return $"topic '{Quote(topic)}' is not {_topics.DetectCommandFilter}";
        }

        var level = topic[prefix.Length..^suffix.Length];
        if (level.Contains('/', StringComparison.Ordinal))
        {
            return $"topic '{Quote(topic)}' has more than one level where the camera goes";
        }

        if (!_isCamera(level))
        {
            return $"unknown camera '{Quote(level)}'";
        }

        camera = level;
        return null;
    }
}
