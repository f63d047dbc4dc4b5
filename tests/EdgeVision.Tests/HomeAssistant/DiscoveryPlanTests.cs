using System.Text.Json.Nodes;
using EdgeVision.EdgeAgent.HomeAssistant;
using EdgeVision.EdgeAgent.Mqtt;
using EdgeVision.Pipeline;
using EdgeVision.Pipeline.Analytics;

namespace EdgeVision.Tests.HomeAssistant;

public sealed class DiscoveryPlanTests
{
    private static readonly CameraOptions Yard = new()
    {
        Name = "yard",
        Source = "x.mp4",
        Analytics = new CameraAnalyticsOptions
        {
            Labels = ["person", "sports ball"],
            Zones = [new ZoneOptions { Name = "lawn", Points = [[0, 0], [1, 0], [1, 1]], Labels = ["person"] }],
            Lines = [new LineOptions { Name = "gate", A = [0, 0], B = [1, 1] }],
        },
    };

    private static DiscoveryPlan Plan(string mode, params CameraOptions[] cameras) =>
        new(new HomeAssistantOptions { Discovery = mode }, new MqttTopics("edgevision", "Pole 17"), "Pole 17", cameras, "1.2.3");

    [Fact]
    public void Entities_PerCamera_TheDocumentedSmallSetWithSlugIdsAndLabelTextInNames()
    {
        var plan = Plan(HomeAssistantOptions.DeviceMode, Yard);

        Assert.Equal(
            [
                "inference_ms:sensor", "outbox_pending:sensor",
                "yard_detect:switch", "yard_motion:binary_sensor",
                "yard_person_count:sensor", "yard_person_in_view:binary_sensor", "yard_person_snapshot:image",
                "yard_sports_ball_count:sensor", "yard_sports_ball_in_view:binary_sensor", "yard_sports_ball_snapshot:image",
                "yard_lawn_occupancy:binary_sensor", "yard_lawn_person_count:sensor",
                "yard_gate_person_in:sensor", "yard_gate_person_out:sensor", "yard_gate_sports_ball_in:sensor", "yard_gate_sports_ball_out:sensor",
                "yard_caption:sensor", "yard_fps:sensor", "yard_dropped:sensor",
            ],
            plan.Entities.Select(e => $"{e.Key}:{e.Platform}"));
        Assert.Equal("pole_17", plan.DeviceSlug);
        Assert.All(plan.Entities, e => Assert.Equal("edgevision_pole_17_" + e.Key, e.Config["unique_id"]!.GetValue<string>()));
        var ball = plan.Entities.Single(e => e.Key == "yard_sports_ball_count").Config;
        Assert.Equal("Sports ball count", ball["name"]!.GetValue<string>());
        Assert.Equal("edgevision/Pole 17/yard/all/sports_ball", ball["state_topic"]!.GetValue<string>());
        Assert.Equal(
            ["edgevision/Pole 17/yard/all/person", "edgevision/Pole 17/yard/all/sports_ball", "edgevision/Pole 17/yard/lawn/all", "edgevision/Pole 17/yard/lawn/person",
             "edgevision/Pole 17/yard/gate/person/in", "edgevision/Pole 17/yard/gate/person/out", "edgevision/Pole 17/yard/gate/sports_ball/in", "edgevision/Pole 17/yard/gate/sports_ball/out"],
            plan.CountTopics);
    }

    [Fact]
    public void Entities_DetectOnlyCamera_NoSnapshotsLinesOrCaption()
    {
        var camera = new CameraOptions { Name = "dock", Source = "x.mp4", Analytics = new CameraAnalyticsOptions { Mode = CameraAnalyticsOptions.DetectOnlyMode } };

        var keys = Plan(HomeAssistantOptions.DeviceMode, camera).Entities.Where(e => e.Camera == "dock").Select(e => e.Key);

        Assert.Equal(["dock_detect", "dock_motion", "dock_person_count", "dock_person_in_view", "dock_fps", "dock_dropped"], keys);
    }

    [Fact]
    public void Entities_CameraWithoutMotionDetection_NoMotionSensor()
    {
        var camera = new CameraOptions { Name = "dock", Source = "x.mp4", Motion = { Enabled = false } };

        Assert.DoesNotContain(Plan(HomeAssistantOptions.DeviceMode, camera).Entities, e => e.Key == "dock_motion");
    }

    [Theory]
    [InlineData(HomeAssistantOptions.DeviceMode, 2)]
    [InlineData(HomeAssistantOptions.ComponentMode, 19)]
    [InlineData(HomeAssistantOptions.Off, 0)]
    public void Messages_EachModePassesTheSchemaCheckerWithUniqueIds(string mode, int count)
    {
        var messages = Plan(mode, Yard).Messages();
        var ids = new HashSet<string>(StringComparer.Ordinal);

        Assert.Equal(count, messages.Count);
        foreach (var message in messages)
        {
            Assert.Empty(DiscoverySchema.Check("homeassistant", message.Topic, message.Payload, ids));
        }

        Assert.Equal(mode == HomeAssistantOptions.Off ? 0 : 19, ids.Count);
    }

    [Fact]
    public void Messages_DeviceMode_CameraDeviceLinkedToTheAgentsWithBothAvailabilitiesRequired()
    {
        var messages = Plan(HomeAssistantOptions.DeviceMode, Yard).Messages();

        var yard = JsonNode.Parse(messages.Single(m => m.Topic == "homeassistant/device/edgevision_pole_17_yard/config").Payload)!;
        Assert.Equal("edgevision_pole_17", yard["device"]!["via_device"]!.GetValue<string>());
        Assert.Equal("EdgeVision", yard["origin"]!["name"]!.GetValue<string>());
        var count = yard["components"]!["yard_person_count"]!;
        Assert.Equal("all", count["availability_mode"]!.GetValue<string>());
        Assert.Equal(
            ["edgevision/Pole 17/status", "edgevision/Pole 17/yard/status"],
            count["availability"]!.AsArray().Select(a => a!["topic"]!.GetValue<string>()));
    }

    [Fact]
    public void Schema_BrokenMessages_EachProblemFound()
    {
        // The checker must be able to fail: each of these breaks one documented rule.
        var ids = new HashSet<string>(StringComparer.Ordinal);
        const string device = "\"device\":{\"identifiers\":[\"d\"]}";
        (string Topic, string Payload, string Problem)[] cases =
        [
            ("homeassistant/sensor/n/o/config", $"{{{device},\"unique_id\":\"a\"}}", "sensor requires 'state_topic'"),
            ("homeassistant/switch/n/o/config", $"{{{device},\"unique_id\":\"b\",\"state_topic\":\"s\"}}", "switch requires 'command_topic'"),
            ("homeassistant/image/n/o/config", $"{{{device},\"unique_id\":\"c\"}}", "image requires 'image_topic' or 'url_topic'"),
            ("homeassistant/sensor/n/o/config", $"{{{device},\"unique_id\":\"d\",\"stat_t\":\"s\",\"colour\":\"red\"}}", "'colour' is not an option"),
            ("homeassistant/binary_sensor/n/o/config", $"{{{device},\"unique_id\":\"e\",\"state_topic\":\"s\",\"device_class\":\"person\"}}", "device_class 'person'"),
            ("homeassistant/sensor/n/o/config", $"{{{device},\"unique_id\":\"f\",\"state_topic\":\"s\",\"state_class\":\"sum\"}}", "state_class"),
            ("homeassistant/sensor/n/o/config", $"{{{device},\"unique_id\":\"g\",\"state_topic\":\"a/+/b\"}}", "without wildcards"),
            ("homeassistant/sensor/n/o/config", $"{{{device},\"unique_id\":\"a\",\"state_topic\":\"s\"}}", "used twice"),
            ("homeassistant/sensor/n/o/config", "{\"unique_id\":\"h\",\"state_topic\":\"s\"}", "no 'device'"),
            ("homeassistant/sensor/n/o/config", $"{{{device},\"unique_id\":\"i\",\"state_topic\":\"s\",\"device_class\":\"duration\",\"unit_of_measurement\":\"fps\"}}", "needs a unit"),
            ("homeassistant/sensor/n/o/config", $"{{{device},\"unique_id\":\"j\",\"state_topic\":\"s\",\"availability\":[{{\"payload\":\"x\"}}]}}", "no 'topic'"),
            ("homeassistant/sensor/n o/x/config", "{}", "not <prefix>/device/<id>/config"),
            ("homeassistant/sensor/n/o/config", $"{{{device},\"unique_id\":\"n\",\"state_topic\":\"s\",\"entity_category\":\"config\"}}", "sensors: diagnostic only"),
            ("homeassistant/device/d/config", $"{{{device},\"components\":{{\"x\":{{\"platform\":\"sensor\",\"unique_id\":\"k\",\"state_topic\":\"s\"}}}}}}", "needs 'origin'"),
            ("homeassistant/device/d/config", "{\"origin\":{\"name\":\"o\"},\"components\":{\"x\":{\"platform\":\"sensor\",\"unique_id\":\"l\",\"state_topic\":\"s\"}}}", "needs 'device'"),
            ("homeassistant/device/d/config", $"{{{device},\"origin\":{{\"name\":\"o\"}},\"components\":{{\"x\":{{\"unique_id\":\"m\"}}}}}}", "no known 'platform'"),
        ];

        ids.Add("a");
        foreach (var (topic, payload, problem) in cases)
        {
            var problems = DiscoverySchema.Check("homeassistant", topic, payload, ids);
            Assert.True(problems.Any(p => p.Contains(problem, StringComparison.Ordinal)), $"{payload}: expected '{problem}', found: {string.Join(" | ", problems)}");
        }

        Assert.Empty(DiscoverySchema.Check("homeassistant", "homeassistant/sensor/n/o/config", string.Empty, ids));
    }

    [Fact]
    public void Validate_BadModePrefixOrUnknownLabel_OneLineEachNamingTheKey()
    {
        var errors = HomeAssistantOptions.Validate(new HomeAssistantOptions { Discovery = "auto", Prefix = "home/assistant", Labels = ["unicorn"] }, ["person", "car"]);

        Assert.Equal(
            [
                "HomeAssistant:Discovery: must be 'device', 'component' or 'off', found 'auto'",
                "HomeAssistant:Prefix 'home/assistant' contains '/', which would split it into several topic levels",
                "HomeAssistant:Labels: 'unicorn' is not a label of the model",
            ],
            errors);
    }
}
