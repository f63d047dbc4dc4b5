using System.Collections.Concurrent;
using System.Text;

namespace EdgeVision.EdgeAgent.Mqtt;

/// <summary>
/// The agent's topic names: <c>&lt;prefix&gt;/&lt;device&gt;/status</c>, <c>&lt;prefix&gt;/&lt;device&gt;/stats</c> and
/// <c>&lt;prefix&gt;/&lt;device&gt;/&lt;camera&gt;/detections</c>. Every name is checked against the MQTT 5 rules for
/// topic names once, when it is first built; per-camera names are cached so the hot path allocates nothing.
/// </summary>
internal sealed class MqttTopics
{
    /// <summary>A topic name is a UTF-8 string with a two-byte length prefix [MQTT-1.5.4].</summary>
    public const int MaxUtf8Bytes = 65535;

    private readonly ConcurrentDictionary<string, string> _detections = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _slugs = new(StringComparer.Ordinal);
    private readonly string _devicePrefix;

    public MqttTopics(string prefix, string device)
    {
        ThrowIfBadLevel(prefix, nameof(prefix), "topic prefix");
        ThrowIfBadLevel(device, nameof(device), "device id");
        _devicePrefix = prefix + "/" + device + "/";
        Status = ValidateTopicName(_devicePrefix + "status");
        Stats = ValidateTopicName(_devicePrefix + "stats");
    }

    /// <summary>Retained <c>online</c>, <c>stopped</c>, or the will <c>offline</c>.</summary>
    public string Status { get; }

    public string Stats { get; }

    /// <summary>Where one camera's per-frame detections go.</summary>
    public string Detections(string camera)
    {
        ArgumentNullException.ThrowIfNull(camera);
        if (_detections.TryGetValue(camera, out var topic))
        {
            return topic;
        }

        ThrowIfBadLevel(camera, nameof(camera), "camera name");
        return _detections.GetOrAdd(camera, ValidateTopicName(_devicePrefix + camera + "/detections"));
    }

    /// <summary><c>&lt;prefix&gt;/&lt;device&gt;/</c>: what every topic of this device starts with.</summary>
    public string DevicePrefix => _devicePrefix;

    /// <summary>Filter for every camera's detect command, <c>&lt;prefix&gt;/&lt;device&gt;/+/detect/set</c>.</summary>
    public string DetectCommandFilter => _devicePrefix + "+/" + DetectCommandSuffix;

    /// <summary>The levels after the camera in a detect command's topic.</summary>
    public static string DetectCommandSuffix => "detect/set";

    /// <summary>A camera's retained <c>online</c>/<c>offline</c>.</summary>
    public string CameraStatus(string camera) => CameraTopic(camera, "status");

    /// <summary>A camera's retained detection switch, <c>ON</c> or <c>OFF</c>.</summary>
    public string DetectState(string camera) => CameraTopic(camera, "detect/state");

    /// <summary>A camera's retained motion, <c>ON</c> or <c>OFF</c> (cameras with motion detection).</summary>
    public string Motion(string camera) => CameraTopic(camera, "motion");

    /// <summary>A camera's track events (new, update, end), QoS 1.</summary>
    public string Events(string camera) => CameraTopic(camera, "events");

    /// <summary>A camera's captions, one sentence per event that says something.</summary>
    public string Captions(string camera) => CameraTopic(camera, "captions");

    /// <summary>
    /// A retained count: <c>&lt;camera&gt;/&lt;zone|line|all&gt;/&lt;label slug&gt;</c>, plus <c>/in</c> or <c>/out</c> for a
    /// line. The label appears as its <see cref="Slug"/> (<c>sports ball</c> → <c>sports_ball</c>).
    /// </summary>
    public string Count(string camera, string area, string label, string? direction)
    {
        ThrowIfBadLevel(camera, nameof(camera), "camera name");
        return ValidateTopicName(_devicePrefix + camera + "/" + area + "/" + SlugOf(label) + (direction is null ? string.Empty : "/" + direction));
    }

    /// <summary>The latest best-view JPEG of a label on a camera, retained: <c>&lt;camera&gt;/&lt;label slug&gt;/snapshot</c>.</summary>
    public string Snapshot(string camera, string label)
    {
        ThrowIfBadLevel(camera, nameof(camera), "camera name");
        return ValidateTopicName(_devicePrefix + camera + "/" + SlugOf(label) + "/snapshot");
    }

    private string SlugOf(string name) => _slugs.TryGetValue(name, out var slug) ? slug : _slugs.GetOrAdd(name, Slug(name));

    /// <summary>
    /// A name made fit for a topic level and an id: lower case; every run of characters outside a–z, 0–9, '_' and
    /// '-' becomes one '_'; no '_' at either end; "x" when nothing is left. <c>sports ball</c> → <c>sports_ball</c>.
    /// </summary>
    public static string Slug(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var builder = new StringBuilder(name.Length);
        foreach (var c in name.ToLowerInvariant())
        {
            if (c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_')
            {
                builder.Append(c);
            }
            else if (builder.Length > 0 && builder[^1] != '_')
            {
                builder.Append('_');
            }
        }

        var slug = builder.ToString().Trim('_');
        return slug.Length == 0 ? "x" : slug;
    }

    /// <summary><c>&lt;prefix&gt;/&lt;device&gt;/&lt;camera&gt;/&lt;leaf&gt;</c>, as for the detect command (<c>detect/set</c>).</summary>
    public string CameraTopicFor(string camera, string leaf) => CameraTopic(camera, leaf);

    private string CameraTopic(string camera, string leaf)
    {
        ThrowIfBadLevel(camera, nameof(camera), "camera name");
        return ValidateTopicName(_devicePrefix + camera + "/" + leaf);
    }

    /// <summary>
    /// Returns <paramref name="topic"/> when it is a valid MQTT 5 topic name to publish to; otherwise throws an
    /// <see cref="ArgumentException"/> saying which rule it breaks.
    /// </summary>
    public static string ValidateTopicName(string topic)
    {
        ArgumentNullException.ThrowIfNull(topic);
        if (topic.Length == 0)
        {
            throw new ArgumentException("MQTT topic name is empty; it needs at least one character [MQTT-4.7.3-1]", nameof(topic));
        }

        // [MQTT-3.3.2-2] wildcards belong to topic filters; a topic name to publish to must not contain them.
        var wildcard = topic.IndexOfAny(['+', '#']);
        if (wildcard >= 0)
        {
            throw new ArgumentException($"MQTT topic name '{topic}' contains the wildcard '{topic[wildcard]}' at index {wildcard}; publish topics must not contain '+' or '#' [MQTT-3.3.2-2]", nameof(topic));
        }

        // [MQTT-4.7.3-2] U+0000 is not allowed in any topic.
        var nul = topic.IndexOf('\0', StringComparison.Ordinal);
        if (nul >= 0)
        {
            throw new ArgumentException($"MQTT topic name contains the null character U+0000 at index {nul} [MQTT-4.7.3-2]", nameof(topic));
        }

        var bytes = Utf8Length(topic);
        if (bytes > MaxUtf8Bytes)
        {
            throw new ArgumentException($"MQTT topic name is {bytes} UTF-8 bytes long; at most {MaxUtf8Bytes} fit [MQTT-4.7.3-3]", nameof(topic));
        }

        return topic;
    }

    /// <summary>Why <paramref name="level"/> cannot be one level of a topic name (prefix, device, camera), or null when it can.</summary>
    public static string? TopicLevelProblem(string? level)
    {
        if (string.IsNullOrEmpty(level))
        {
            return "must not be empty";
        }

        foreach (var c in level)
        {
            switch (c)
            {
                case '+' or '#':
                    return $"'{level}' contains the MQTT wildcard '{c}'";
                case '/':
                    return $"'{level}' contains '/', which would split it into several topic levels";
                case '\0':
                    return "contains the null character U+0000";
            }
        }

        return null;
    }

    /// <summary>UTF-8 length; a lone surrogate counts as the three bytes of U+FFFD, as the encoder writes it.</summary>
    public static int Utf8Length(string text) => Encoding.UTF8.GetByteCount(text);

    private static void ThrowIfBadLevel(string? level, string parameter, string what)
    {
        if (TopicLevelProblem(level) is { } problem)
        {
            throw new ArgumentException($"MQTT {what} {problem}", parameter);
        }
    }
}
