using EdgeVision.EdgeAgent.Mqtt;

namespace EdgeVision.EdgeAgent.HomeAssistant;

/// <summary>Section <c>HomeAssistant</c>: how the agent announces itself to Home Assistant over MQTT discovery.</summary>
internal sealed class HomeAssistantOptions
{
    public const string SectionName = "HomeAssistant";
    public const string DeviceMode = "device";
    public const string ComponentMode = "component";
    public const string Off = "off";

    /// <summary>
    /// <c>device</c>: one discovery message per device (Home Assistant 2024.12 and later); <c>component</c>: one per
    /// entity (any version); <c>off</c>: nothing announced (what was announced before is deleted).
    /// </summary>
    public string Discovery { get; set; } = DeviceMode;

    /// <summary>Home Assistant's discovery prefix; its birth message is <c>&lt;Prefix&gt;/status</c> = <c>online</c>.</summary>
    public string Prefix { get; set; } = "homeassistant";

    /// <summary>
    /// The labels that get entities (count, in view, snapshot) on a camera whose <c>Analytics:Labels</c> is empty;
    /// a camera that lists labels gets entities for those. Kept short: every label adds entities to every camera.
    /// </summary>
    public string[] Labels { get; set; } = [];

    /// <summary>Used when <see cref="Labels"/> is empty (set lists replace it rather than being appended to).</summary>
    public static readonly IReadOnlyList<string> DefaultLabels = ["person"];

    public IReadOnlyList<string> EffectiveLabels => Labels.Length > 0 ? Labels : DefaultLabels;

    public static List<string> Validate(HomeAssistantOptions options, IReadOnlyList<string>? modelLabels)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        const string S = SectionName;
        if (options.Discovery is not (DeviceMode or ComponentMode or Off))
        {
            errors.Add($"{S}:Discovery: must be '{DeviceMode}', '{ComponentMode}' or '{Off}', found '{options.Discovery}'");
        }

        if (MqttTopics.TopicLevelProblem(options.Prefix) is { } problem)
        {
            errors.Add($"{S}:Prefix {problem}");
        }

        if (options.Labels.Length > 16)
        {
            errors.Add($"{S}:Labels: at most 16 labels (each adds entities to every camera), found {options.Labels.Length}");
        }

        foreach (var label in options.Labels.Where(l => modelLabels is not null && !modelLabels.Contains(l)))
        {
            errors.Add($"{S}:Labels: '{label}' is not a label of the model");
        }

        return errors;
    }
}
