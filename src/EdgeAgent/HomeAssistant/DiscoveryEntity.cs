using System.Text.Json.Nodes;

namespace EdgeVision.EdgeAgent.HomeAssistant;

/// <summary>
/// One Home Assistant entity the agent announces.
/// </summary>
/// <param name="Key">Its id within its device (<c>gate_person_count</c>), also the object id of its per-entity discovery topic.</param>
/// <param name="Platform"><c>sensor</c>, <c>binary_sensor</c>, <c>switch</c> or <c>image</c>.</param>
/// <param name="Camera">The camera whose device it belongs to; null for the agent's own device.</param>
/// <param name="Config">Its discovery options (name, topics, classes, <c>unique_id</c>), without device, origin and availability.</param>
internal sealed record DiscoveryEntity(string Key, string Platform, string? Camera, JsonObject Config);

/// <summary>One retained discovery message: a device's or an entity's config, or an empty payload that deletes one.</summary>
/// <param name="Components">The entities it announces, key → platform (none for a deletion).</param>
internal sealed record DiscoveryMessage(string Topic, string Payload, IReadOnlyDictionary<string, string> Components);
