using EdgeVision.EdgeAgent.Mqtt;

namespace EdgeVision.Tests.Mqtt;

public sealed class MqttTopicsTests
{
    [Fact]
    public void Constructor_ValidLevels_BuildsStatusStatsAndDetectionTopics()
    {
        var topics = new MqttTopics("edgevision", "dev1");

        Assert.Equal(
            ("edgevision/dev1/status", "edgevision/dev1/stats", "edgevision/dev1/cam-1/detections"),
            (topics.Status, topics.Stats, topics.Detections("cam-1")));
    }

    [Fact]
    public void Detections_SameCameraTwice_ReturnsTheCachedString()
    {
        var topics = new MqttTopics("edgevision", "dev1");

        Assert.Same(topics.Detections("cam1"), topics.Detections("cam1"));
    }

    [Theory]
    [InlineData("edgevision/dev1/+/detections", '+', 16)]
    [InlineData("edgevision/#", '#', 11)]
    public void ValidateTopicName_Wildcard_ThrowsNamingCharacterAndRule(string topic, char wildcard, int index)
    {
        var error = Assert.Throws<ArgumentException>(() => MqttTopics.ValidateTopicName(topic));

        Assert.Equal(
            $"MQTT topic name '{topic}' contains the wildcard '{wildcard}' at index {index}; publish topics must not contain '+' or '#' [MQTT-3.3.2-2] (Parameter 'topic')",
            error.Message);
    }

    [Fact]
    public void ValidateTopicName_NulCharacter_ThrowsNamingIndex()
    {
        var error = Assert.Throws<ArgumentException>(() => MqttTopics.ValidateTopicName("edgevision/a\0b"));

        Assert.Equal("MQTT topic name contains the null character U+0000 at index 12 [MQTT-4.7.3-2] (Parameter 'topic')", error.Message);
    }

    [Fact]
    public void ValidateTopicName_Empty_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => MqttTopics.ValidateTopicName(string.Empty));

        Assert.Equal("MQTT topic name is empty; it needs at least one character [MQTT-4.7.3-1] (Parameter 'topic')", error.Message);
    }

    [Fact]
    public void ValidateTopicName_65536Utf8BytesIn32768Characters_ThrowsCountingBytes()
    {
        // 'é' is two UTF-8 bytes: the limit is on bytes, not on characters.
        var topic = new string('é', 32_768);

        var error = Assert.Throws<ArgumentException>(() => MqttTopics.ValidateTopicName(topic));

        Assert.Equal("MQTT topic name is 65536 UTF-8 bytes long; at most 65535 fit [MQTT-4.7.3-3] (Parameter 'topic')", error.Message);
    }

    [Fact]
    public void ValidateTopicName_Exactly65535Bytes_ReturnsTheTopic()
    {
        var topic = "a" + new string('é', 32_767);

        Assert.Same(topic, MqttTopics.ValidateTopicName(topic));
    }

    [Theory]
    [InlineData("cam/1", "MQTT camera name 'cam/1' contains '/', which would split it into several topic levels (Parameter 'camera')")]
    [InlineData("cam+1", "MQTT camera name 'cam+1' contains the MQTT wildcard '+' (Parameter 'camera')")]
    [InlineData("", "MQTT camera name must not be empty (Parameter 'camera')")]
    public void Detections_BadCameraName_ThrowsNamingTheProblem(string camera, string expected)
    {
        var topics = new MqttTopics("edgevision", "dev1");

        var error = Assert.Throws<ArgumentException>(() => topics.Detections(camera));

        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void Constructor_DeviceWithHash_ThrowsNamingDevice()
    {
        var error = Assert.Throws<ArgumentException>(() => new MqttTopics("edgevision", "dev#1"));

        Assert.Equal("MQTT device id 'dev#1' contains the MQTT wildcard '#' (Parameter 'device')", error.Message);
    }

    [Theory]
    [InlineData("sports ball", "sports_ball")]
    [InlineData("Traffic Light", "traffic_light")]
    [InlineData("  a  /  b  ", "a_b")]
    [InlineData("hair-drier", "hair-drier")]
    [InlineData("café au lait", "caf_au_lait")]
    [InlineData("+#/", "x")]
    public void Slug_SpacesAndOtherCharacters_BecomeOneUnderscore(string name, string expected) =>
        Assert.Equal(expected, MqttTopics.Slug(name));

    [Fact]
    public void CountAndSnapshot_LabelWithASpace_AppearsAsItsSlug()
    {
        var topics = new MqttTopics("edgevision", "dev1");

        Assert.Equal("edgevision/dev1/yard/all/sports_ball", topics.Count("yard", "all", "sports ball", null));
        Assert.Equal("edgevision/dev1/yard/gate/sports_ball/in", topics.Count("yard", "gate", "sports ball", "in"));
        Assert.Equal("edgevision/dev1/yard/sports_ball/snapshot", topics.Snapshot("yard", "sports ball"));
    }

    [Fact]
    public void Slug_EveryCocoLabel_UniqueAndNoReservedWord()
    {
        var labels = EdgeVision.Models.ModelCatalog.Default.Load("nanodet-g-416-int8").Labels;
        var slugs = labels.Select(MqttTopics.Slug).ToList();

        Assert.Equal(labels.Count, slugs.Distinct().Count());
        Assert.All(slugs, slug => Assert.Matches("^[a-z0-9_-]+$", slug));
        Assert.DoesNotContain(slugs, EdgeVision.Pipeline.Analytics.CameraAnalyticsValidator.ReservedNames.Contains);
    }
}
