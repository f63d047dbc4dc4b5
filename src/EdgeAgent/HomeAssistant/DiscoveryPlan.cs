using System.Text.Json.Nodes;
using EdgeVision.EdgeAgent.Mqtt;
using EdgeVision.Pipeline;
using EdgeVision.Pipeline.Analytics;

namespace EdgeVision.EdgeAgent.HomeAssistant;

/// <summary>
/// What the agent announces to Home Assistant, worked out from the configuration alone: one device for the agent
/// and one per enabled camera linked to it, with a few entities each over the topics the agent already publishes.
/// Names of zones, lines and labels appear in ids as slugs; unique ids are <c>edgevision_&lt;device&gt;_&lt;key&gt;</c>,
/// stable as long as the device, camera and object names are.
/// </summary>
internal sealed class DiscoveryPlan
{
    /// <summary>Availability template: the agent's <c>stopped</c> (clean stop) is unavailable as much as the Will's <c>offline</c>.</summary>
    public const string AgentAvailabilityTemplate = "{{ 'online' if value == 'online' else 'offline' }}";

    /// <summary>A count above zero is ON.</summary>
    public const string OccupiedTemplate = "{{ 'ON' if (value | int(0)) > 0 else 'OFF' }}";

    private readonly HomeAssistantOptions _options;
    private readonly MqttTopics _topics;
    private readonly string _device;
    private readonly string _version;
    private readonly List<string> _countTopics = [];

    public DiscoveryPlan(HomeAssistantOptions options, MqttTopics topics, string device, IEnumerable<CameraOptions> cameras, string version)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _topics = topics ?? throw new ArgumentNullException(nameof(topics));
        _device = device;
        _version = version;
        DeviceSlug = MqttTopics.Slug(device);
        Cameras = cameras.Where(c => c.Enabled).ToList();
        Entities = [.. AgentEntities(), .. Cameras.SelectMany(CameraEntities)];
        CountTopics = _countTopics;
    }

    public string DeviceSlug { get; }

    public IReadOnlyList<CameraOptions> Cameras { get; }

    public IReadOnlyList<DiscoveryEntity> Entities { get; }

    /// <summary>The retained count topics the entities read: each must hold a value from the start (0 until something is counted).</summary>
    public IReadOnlyList<string> CountTopics { get; }

    /// <summary>The identifier of the agent's device, or of a camera's.</summary>
    public string DeviceIdentifier(string? camera) => camera is null ? $"edgevision_{DeviceSlug}" : $"edgevision_{DeviceSlug}_{camera}";

    /// <summary>Every discovery message of the configured mode, retained; none when discovery is off.</summary>
    public IReadOnlyList<DiscoveryMessage> Messages()
    {
        var messages = new List<DiscoveryMessage>();
        switch (_options.Discovery)
        {
            case HomeAssistantOptions.DeviceMode:
                foreach (var group in Entities.GroupBy(e => e.Camera))
                {
                    var components = new JsonObject();
                    foreach (var entity in group)
                    {
                        var config = Complete(entity);
                        config["platform"] = entity.Platform;
                        components[entity.Key] = config;
                    }

                    var payload = new JsonObject
                    {
                        ["device"] = Device(group.Key),
                        ["origin"] = Origin(),
                        ["components"] = components,
                    };
                    messages.Add(new DiscoveryMessage(DeviceTopic(group.Key), payload.ToJsonString(), group.ToDictionary(e => e.Key, e => e.Platform, StringComparer.Ordinal)));
                }

                break;
            case HomeAssistantOptions.ComponentMode:
                foreach (var entity in Entities)
                {
                    var config = Complete(entity);
                    config["device"] = Device(entity.Camera);
                    config["origin"] = Origin();
                    messages.Add(new DiscoveryMessage(ComponentTopic(entity), config.ToJsonString(), new Dictionary<string, string>(StringComparer.Ordinal) { [entity.Key] = entity.Platform }));
                }

                break;
        }

        return messages;
    }

    /// <summary><c>&lt;prefix&gt;/device/&lt;device id&gt;/config</c>.</summary>
    public string DeviceTopic(string? camera) => $"{_options.Prefix}/device/{DeviceIdentifier(camera)}/config";

    /// <summary><c>&lt;prefix&gt;/&lt;platform&gt;/edgevision_&lt;device&gt;/&lt;key&gt;/config</c>.</summary>
    public string ComponentTopic(DiscoveryEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        return $"{_options.Prefix}/{entity.Platform}/{DeviceIdentifier(null)}/{entity.Key}/config";
    }

    private JsonObject Complete(DiscoveryEntity entity)
    {
        var config = (JsonObject)entity.Config.DeepClone();
        var availability = new JsonArray(new JsonObject { ["topic"] = _topics.Status, ["value_template"] = AgentAvailabilityTemplate });
        if (entity.Camera is { } camera)
        {
            availability.Add(new JsonObject { ["topic"] = _topics.CameraStatus(camera) });
        }

        config["availability"] = availability;
        config["availability_mode"] = "all";
        return config;
    }

    private JsonObject Device(string? camera)
    {
        var device = new JsonObject
        {
            ["identifiers"] = new JsonArray(DeviceIdentifier(camera)),
            ["name"] = camera is null ? $"EdgeVision {_device}" : $"{camera} ({_device})",
            ["manufacturer"] = "EdgeVision",
            ["model"] = camera is null ? "Edge agent" : "Camera",
            ["sw_version"] = _version,
        };
        if (camera is not null)
        {
            device["via_device"] = DeviceIdentifier(null);
        }

        return device;
    }

    private JsonObject Origin() => new() { ["name"] = "EdgeVision", ["sw_version"] = _version };

    private DiscoveryEntity Entity(string key, string platform, string? camera, JsonObject config)
    {
        config["unique_id"] = $"edgevision_{DeviceSlug}_{key}";
        return new DiscoveryEntity(key, platform, camera, config);
    }

    private IEnumerable<DiscoveryEntity> AgentEntities()
    {
        yield return Entity("inference_ms", "sensor", null, new JsonObject
        {
            ["name"] = "Inference time",
            ["state_topic"] = _topics.Stats,
            ["value_template"] = "{{ value_json.inference_mean_ms | round(1) }}",
            ["unit_of_measurement"] = "ms",
            ["device_class"] = "duration",
            ["state_class"] = "measurement",
            ["entity_category"] = "diagnostic",
        });
        yield return Entity("outbox_pending", "sensor", null, new JsonObject
        {
            ["name"] = "Outbox pending",
            ["state_topic"] = _topics.Stats,
            ["value_template"] = "{{ value_json.outbox.pending if value_json.outbox is defined else 0 }}",
            ["state_class"] = "measurement",
            ["entity_category"] = "diagnostic",
            ["enabled_by_default"] = false,
        });
    }

    private IEnumerable<DiscoveryEntity> CameraEntities(CameraOptions camera)
    {
        var name = camera.Name!;
        var analytics = camera.Analytics;
        IReadOnlyList<string> labels = analytics.Labels.Count > 0 ? analytics.Labels : _options.EffectiveLabels;
        var tracking = analytics.Mode != CameraAnalyticsOptions.DetectOnlyMode;

        yield return Entity($"{name}_detect", "switch", name, new JsonObject
        {
            ["name"] = "Detection",
            ["command_topic"] = _topics.CameraTopicFor(name, MqttTopics.DetectCommandSuffix),
            ["state_topic"] = _topics.DetectState(name),
            ["payload_on"] = CameraStatePublisher.DetectingPayload,
            ["payload_off"] = CameraStatePublisher.PausedPayload,
            ["state_on"] = CameraStatePublisher.DetectingPayload,
            ["state_off"] = CameraStatePublisher.PausedPayload,
            ["icon"] = "mdi:cctv",
        });

        if (camera.Motion.Enabled)
        {
            yield return Entity($"{name}_motion", "binary_sensor", name, new JsonObject
            {
                ["name"] = "Motion",
                ["state_topic"] = _topics.Motion(name),
                ["device_class"] = "motion",
            });
        }

        foreach (var label in labels)
        {
            var slug = MqttTopics.Slug(label);
            yield return Entity($"{name}_{slug}_count", "sensor", name, Count($"{Title(label)} count", _topics.Count(name, "all", label, null)));
            yield return Entity($"{name}_{slug}_in_view", "binary_sensor", name, Occupied($"{Title(label)} in view", _topics.Count(name, "all", label, null)));
            if (tracking)
            {
                yield return Entity($"{name}_{slug}_snapshot", "image", name, new JsonObject
                {
                    ["name"] = $"{Title(label)} snapshot",
                    ["image_topic"] = _topics.Snapshot(name, label),
                    ["content_type"] = "image/jpeg",
                });
            }
        }

        foreach (var zone in analytics.Zones)
        {
            yield return Entity($"{name}_{zone.Name}_occupancy", "binary_sensor", name, Occupied($"Zone {zone.Name} occupied", _topics.Count(name, zone.Name, "all", null)));
            foreach (var label in zone.Labels.Count > 0 ? zone.Labels : labels)
            {
                yield return Entity($"{name}_{zone.Name}_{MqttTopics.Slug(label)}_count", "sensor", name, Count($"Zone {zone.Name} {label} count", _topics.Count(name, zone.Name, label, null)));
            }
        }

        if (tracking)
        {
            foreach (var line in analytics.Lines)
            {
                foreach (var label in line.Labels.Count > 0 ? line.Labels : labels)
                {
                    foreach (var direction in new[] { "in", "out" })
                    {
                        var config = Count($"Line {line.Name} {label} {direction}", _topics.Count(name, line.Name, label, direction));
                        config["state_class"] = "total_increasing";
                        yield return Entity($"{name}_{line.Name}_{MqttTopics.Slug(label)}_{direction}", "sensor", name, config);
                    }
                }
            }

            yield return Entity($"{name}_caption", "sensor", name, new JsonObject
            {
                ["name"] = "Last caption",
                ["state_topic"] = _topics.Captions(name),
                ["value_template"] = "{{ value_json.text[:255] }}",
                ["icon"] = "mdi:text-box-outline",
            });
        }

        yield return Entity($"{name}_fps", "sensor", name, new JsonObject
        {
            ["name"] = "Processed fps",
            ["state_topic"] = _topics.Stats,
            ["value_template"] = $"{{{{ (value_json.cameras | selectattr('name', 'eq', '{name}') | map(attribute='processed_fps') | first | default(0)) | round(1) }}}}",
            ["unit_of_measurement"] = "fps",
            ["state_class"] = "measurement",
            ["entity_category"] = "diagnostic",
            ["enabled_by_default"] = false,
        });
        yield return Entity($"{name}_dropped", "sensor", name, new JsonObject
        {
            ["name"] = "Dropped frames",
            ["state_topic"] = _topics.Stats,
            ["value_template"] = $"{{{{ value_json.cameras | selectattr('name', 'eq', '{name}') | map(attribute='dropped') | first | default(0) }}}}",
            ["state_class"] = "total_increasing",
            ["entity_category"] = "diagnostic",
            ["enabled_by_default"] = false,
        });
    }

    private JsonObject Count(string name, string topic) => new()
    {
        ["name"] = name,
        ["state_topic"] = ReadsCount(topic),
        ["state_class"] = "measurement",
        ["icon"] = "mdi:counter",
    };

    private JsonObject Occupied(string name, string topic) => new()
    {
        ["name"] = name,
        ["state_topic"] = ReadsCount(topic),
        ["value_template"] = OccupiedTemplate,
        ["device_class"] = "occupancy",
    };

    /// <summary>Notes a count topic an entity reads (see <see cref="CountTopics"/>) and returns it.</summary>
    private string ReadsCount(string topic)
    {
        if (!_countTopics.Contains(topic))
        {
            _countTopics.Add(topic);
        }

        return topic;
    }

    private static string Title(string label) => label.Length == 0 ? label : char.ToUpperInvariant(label[0]) + label[1..];
}
