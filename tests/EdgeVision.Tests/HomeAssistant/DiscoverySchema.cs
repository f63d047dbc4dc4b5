using System.Text.Json;
using System.Text.RegularExpressions;

namespace EdgeVision.Tests.HomeAssistant;

/// <summary>
/// A checker of Home Assistant MQTT discovery messages, written from Home Assistant's documented schema (the MQTT
/// integration's discovery section and the sensor, binary_sensor, switch and image platform pages): the topic
/// forms, abbreviations, the keys each platform allows and requires, the values of device_class, state_class,
/// entity_category and availability_mode, and unique ids. Home Assistant itself cannot run on these machines.
/// It returns every problem found; an empty list means the message would be accepted.
/// </summary>
internal static partial class DiscoverySchema
{
    /// <summary>The documented abbreviations this checker knows (abbreviation → full key).</summary>
    public static readonly IReadOnlyDictionary<string, string> Abbreviations = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["avty"] = "availability", ["avty_mode"] = "availability_mode", ["avty_t"] = "availability_topic", ["avty_tpl"] = "availability_template",
        ["pl_avail"] = "payload_available", ["pl_not_avail"] = "payload_not_available", ["val_tpl"] = "value_template",
        ["dev"] = "device", ["o"] = "origin", ["cmps"] = "components", ["p"] = "platform", ["uniq_id"] = "unique_id", ["obj_id"] = "object_id",
        ["stat_t"] = "state_topic", ["cmd_t"] = "command_topic", ["pl_on"] = "payload_on", ["pl_off"] = "payload_off", ["stat_on"] = "state_on",
        ["stat_off"] = "state_off", ["img_t"] = "image_topic", ["cont_type"] = "content_type", ["dev_cla"] = "device_class",
        ["stat_cla"] = "state_class", ["unit_of_meas"] = "unit_of_measurement", ["ent_cat"] = "entity_category", ["en"] = "enabled_by_default",
        ["ic"] = "icon", ["json_attr_t"] = "json_attributes_topic", ["json_attr_tpl"] = "json_attributes_template", ["ret"] = "retain",
        ["opt"] = "optimistic", ["exp_aft"] = "expire_after", ["frc_upd"] = "force_update", ["img_e"] = "image_encoding", ["url_t"] = "url_topic",
        ["t"] = "topic", ["def_ent_id"] = "default_entity_id",
    };

    private static readonly IReadOnlyDictionary<string, string> DeviceAbbreviations = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ids"] = "identifiers", ["cns"] = "connections", ["mf"] = "manufacturer", ["mdl"] = "model", ["mdl_id"] = "model_id", ["sw"] = "sw_version",
        ["hw"] = "hw_version", ["sa"] = "suggested_area", ["cu"] = "configuration_url", ["sn"] = "serial_number",
    };

    private static readonly HashSet<string> DeviceKeys =
        ["identifiers", "connections", "name", "manufacturer", "model", "model_id", "sw_version", "hw_version", "suggested_area", "configuration_url", "serial_number", "via_device"];

    private static readonly HashSet<string> OriginKeys = ["name", "sw_version", "support_url", "sw", "url"];

    private static readonly HashSet<string> CommonKeys =
    [
        "availability", "availability_mode", "availability_topic", "availability_template", "payload_available", "payload_not_available",
        "device", "origin", "name", "unique_id", "object_id", "default_entity_id", "icon", "entity_category", "enabled_by_default", "qos",
        "json_attributes_topic", "json_attributes_template", "encoding", "entity_picture", "platform",
    ];

    private static readonly Dictionary<string, (HashSet<string> Allowed, string[] Required)> Platforms = new(StringComparer.Ordinal)
    {
        ["sensor"] = (["state_topic", "value_template", "device_class", "state_class", "unit_of_measurement", "expire_after", "force_update", "last_reset_value_template", "suggested_display_precision", "options"], ["state_topic"]),
        ["binary_sensor"] = (["state_topic", "value_template", "device_class", "payload_on", "payload_off", "expire_after", "force_update", "off_delay"], ["state_topic"]),
        ["switch"] = (["command_topic", "state_topic", "value_template", "device_class", "payload_on", "payload_off", "state_on", "state_off", "optimistic", "retain", "command_template"], ["command_topic"]),
        ["image"] = (["image_topic", "url_topic", "url_template", "content_type", "image_encoding"], []),
    };

    private static readonly HashSet<string> BinarySensorClasses =
    [
        "battery", "battery_charging", "carbon_monoxide", "cold", "connectivity", "door", "garage_door", "gas", "heat", "light", "lock",
        "moisture", "motion", "moving", "occupancy", "opening", "plug", "power", "presence", "problem", "running", "safety", "smoke",
        "sound", "tamper", "update", "vibration", "window",
    ];

    // The sensor device classes this agent could use, with the units Home Assistant accepts for each.
    private static readonly Dictionary<string, string[]> SensorClasses = new(StringComparer.Ordinal)
    {
        ["duration"] = ["d", "h", "min", "s", "ms", "µs"],
        ["data_size"] = ["bit", "kbit", "Mbit", "Gbit", "B", "kB", "MB", "GB", "TB", "KiB", "MiB", "GiB", "TiB"],
        ["timestamp"] = [],
        ["enum"] = [],
    };

    private static readonly HashSet<string> StateClasses = ["measurement", "measurement_angle", "total", "total_increasing"];

    [GeneratedRegex("^[a-zA-Z0-9_-]+$")]
    private static partial Regex IdCharacters();

    /// <summary>The problems of one retained discovery message (topic and payload); none for an empty payload on a well-formed topic (a deletion).</summary>
    public static List<string> Check(string prefix, string topic, string payload, ISet<string> uniqueIds)
    {
        var problems = new List<string>();
        var levels = topic.Split('/');
        var deviceForm = levels.Length == 4 && levels[1] == "device" && levels[3] == "config";
        var componentForm = levels.Length is 4 or 5 && Platforms.ContainsKey(levels[1]) && levels[^1] == "config";
        if (levels[0] != prefix || !(deviceForm || componentForm) || levels[2..^1].Any(l => !IdCharacters().IsMatch(l)))
        {
            problems.Add($"{topic}: not <prefix>/device/<id>/config nor <prefix>/<platform>/[<node_id>/]<object_id>/config with ids of [a-zA-Z0-9_-]");
            return problems;
        }

        if (payload.Length == 0)
        {
            return problems;
        }

        JsonElement root;
        try
        {
            root = JsonDocument.Parse(payload).RootElement.Clone();
        }
        catch (JsonException ex)
        {
            problems.Add($"{topic}: not JSON: {ex.Message}");
            return problems;
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            problems.Add($"{topic}: not a JSON object");
            return problems;
        }

        var top = Expand(root, Abbreviations);
        if (deviceForm)
        {
            CheckDevice(problems, topic, top, required: true);
            CheckOrigin(problems, topic, top, required: true);
            if (!top.TryGetValue("components", out var components) || components.ValueKind != JsonValueKind.Object || !components.EnumerateObject().Any())
            {
                problems.Add($"{topic}: device discovery needs 'components' with at least one component");
                return problems;
            }

            foreach (var component in components.EnumerateObject())
            {
                var config = Expand(component.Value, Abbreviations);
                if (!config.TryGetValue("platform", out var platform) || platform.ValueKind != JsonValueKind.String || !Platforms.ContainsKey(platform.GetString()!))
                {
                    problems.Add($"{topic}: component '{component.Name}' has no known 'platform'");
                    continue;
                }

                if (config.Count == 1)
                {
                    continue; // Only the platform: the documented way to remove a component from a device.
                }

                CheckEntity(problems, $"{topic} [{component.Name}]", platform.GetString()!, config, uniqueIds, inheritsDevice: true);
            }
        }
        else
        {
            CheckDevice(problems, topic, top, required: false);
            CheckOrigin(problems, topic, top, required: false);
            CheckEntity(problems, topic, levels[1], top, uniqueIds, inheritsDevice: false);
        }

        return problems;
    }

    private static void CheckEntity(List<string> problems, string where, string platform, Dictionary<string, JsonElement> config, ISet<string> uniqueIds, bool inheritsDevice)
    {
        var (allowed, required) = Platforms[platform];
        foreach (var key in config.Keys.Where(k => !allowed.Contains(k) && !CommonKeys.Contains(k)))
        {
            problems.Add($"{where}: '{key}' is not an option of the {platform} platform");
        }

        foreach (var key in required.Where(k => !config.ContainsKey(k)))
        {
            problems.Add($"{where}: {platform} requires '{key}'");
        }

        if (platform == "image" && !config.ContainsKey("image_topic") && !config.ContainsKey("url_topic"))
        {
            problems.Add($"{where}: image requires 'image_topic' or 'url_topic'");
        }

        if (!config.TryGetValue("unique_id", out var id) || id.ValueKind != JsonValueKind.String || id.GetString()!.Length == 0)
        {
            problems.Add($"{where}: no unique_id (needed for a device and for the entity to be editable)");
        }
        else if (!uniqueIds.Add(id.GetString()!))
        {
            problems.Add($"{where}: unique_id '{id.GetString()}' is used twice");
        }

        foreach (var key in config.Keys.Where(k => k.EndsWith("_topic", StringComparison.Ordinal)))
        {
            var topic = config[key].ValueKind == JsonValueKind.String ? config[key].GetString()! : string.Empty;
            if (topic.Length == 0 || topic.IndexOfAny(['+', '#', '\0']) >= 0)
            {
                problems.Add($"{where}: '{key}' must be a topic name without wildcards");
            }
        }

        if (config.TryGetValue("device_class", out var deviceClass))
        {
            var value = deviceClass.GetString() ?? string.Empty;
            var known = platform switch
            {
                "binary_sensor" => BinarySensorClasses.Contains(value),
                "sensor" => SensorClasses.ContainsKey(value),
                "switch" => value is "outlet" or "switch",
                _ => false,
            };
            if (!known)
            {
                problems.Add($"{where}: device_class '{value}' is not one of the {platform} platform's");
            }
            else if (platform == "sensor" && SensorClasses[value].Length > 0
                     && !(config.TryGetValue("unit_of_measurement", out var unit) && SensorClasses[value].Contains(unit.GetString())))
            {
                problems.Add($"{where}: device_class '{value}' needs a unit of {string.Join(", ", SensorClasses[value])}");
            }
        }

        if (config.TryGetValue("state_class", out var stateClass) && (platform != "sensor" || !StateClasses.Contains(stateClass.GetString() ?? string.Empty)))
        {
            problems.Add($"{where}: state_class '{stateClass}' is not valid here");
        }

        if (config.TryGetValue("entity_category", out var category)
            && (category.GetString() is not ("config" or "diagnostic") || (platform is "sensor" or "binary_sensor" && category.GetString() != "diagnostic")))
        {
            problems.Add($"{where}: entity_category '{category}' is not config or diagnostic (sensors: diagnostic only)");
        }

        if (platform == "image" && config.ContainsKey("image_topic") && config.ContainsKey("url_topic"))
        {
            problems.Add($"{where}: image takes one of 'image_topic' and 'url_topic'");
        }

        if (config.TryGetValue("enabled_by_default", out var enabled) && enabled.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            problems.Add($"{where}: enabled_by_default must be a boolean");
        }

        if (config.TryGetValue("content_type", out var contentType) && !(contentType.GetString() ?? string.Empty).StartsWith("image/", StringComparison.Ordinal))
        {
            problems.Add($"{where}: content_type '{contentType}' is not an image type");
        }

        if (config.TryGetValue("availability_mode", out var mode) && mode.GetString() is not ("all" or "any" or "latest"))
        {
            problems.Add($"{where}: availability_mode '{mode}' is not all, any or latest");
        }

        if (config.ContainsKey("availability") && config.ContainsKey("availability_topic"))
        {
            problems.Add($"{where}: 'availability' and 'availability_topic' cannot both be given");
        }

        if (config.TryGetValue("availability", out var availability))
        {
            if (availability.ValueKind != JsonValueKind.Array || availability.GetArrayLength() == 0)
            {
                problems.Add($"{where}: 'availability' must be a non-empty list");
            }
            else
            {
                foreach (var item in availability.EnumerateArray())
                {
                    var entry = Expand(item, Abbreviations);
                    if (!entry.TryGetValue("topic", out var topic) || topic.ValueKind != JsonValueKind.String)
                    {
                        problems.Add($"{where}: an availability entry has no 'topic'");
                    }

                    foreach (var key in entry.Keys.Where(k => k is not ("topic" or "payload_available" or "payload_not_available" or "value_template")))
                    {
                        problems.Add($"{where}: '{key}' is not an option of an availability entry");
                    }
                }
            }
        }

        if (!inheritsDevice && !config.ContainsKey("device"))
        {
            problems.Add($"{where}: no 'device': the entity would not belong to the agent's device");
        }
    }

    private static void CheckDevice(List<string> problems, string where, Dictionary<string, JsonElement> top, bool required)
    {
        if (!top.TryGetValue("device", out var device))
        {
            if (required)
            {
                problems.Add($"{where}: device discovery needs 'device'");
            }

            return;
        }

        var keys = Expand(device, DeviceAbbreviations);
        foreach (var key in keys.Keys.Where(k => !DeviceKeys.Contains(k)))
        {
            problems.Add($"{where}: '{key}' is not a device option");
        }

        var hasIdentifiers = keys.TryGetValue("identifiers", out var ids)
            && (ids.ValueKind == JsonValueKind.String || (ids.ValueKind == JsonValueKind.Array && ids.GetArrayLength() > 0));
        if (!hasIdentifiers && !keys.ContainsKey("connections"))
        {
            problems.Add($"{where}: the device needs 'identifiers' or 'connections'");
        }
    }

    private static void CheckOrigin(List<string> problems, string where, Dictionary<string, JsonElement> top, bool required)
    {
        if (!top.TryGetValue("origin", out var origin))
        {
            if (required)
            {
                problems.Add($"{where}: device discovery needs 'origin'");
            }

            return;
        }

        if (origin.ValueKind != JsonValueKind.Object || !origin.TryGetProperty("name", out _))
        {
            problems.Add($"{where}: 'origin' needs a 'name'");
        }

        foreach (var key in origin.EnumerateObject().Select(p => p.Name).Where(k => !OriginKeys.Contains(k)))
        {
            problems.Add($"{where}: '{key}' is not an origin option");
        }
    }

    /// <summary>The object's keys with abbreviations expanded; a key given both ways is reported by keeping both (the caller sees the clash as an unknown key).</summary>
    private static Dictionary<string, JsonElement> Expand(JsonElement element, IReadOnlyDictionary<string, string> abbreviations)
    {
        var keys = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (element.ValueKind != JsonValueKind.Object)
        {
            return keys;
        }

        foreach (var property in element.EnumerateObject())
        {
            var key = abbreviations.TryGetValue(property.Name, out var full) ? full : property.Name;
            if (!keys.TryAdd(key, property.Value))
            {
                keys["duplicate:" + key] = property.Value;
            }
        }

        return keys;
    }
}
