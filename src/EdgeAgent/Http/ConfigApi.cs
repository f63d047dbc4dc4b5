using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;

namespace EdgeVision.EdgeAgent.Http;

/// <summary>
/// The configuration the agent runs with, for someone checking what a box was told: by default the effective
/// values (every setting of each section with its default filled in, as the agent bound them); with
/// <c>?view=given</c> only what the file, the environment and the command line gave, merged. Anything that can hold
/// a secret or says where something is on the device (passwords, tokens and user names, camera sources, files,
/// directories, paths, keys) is shown as <c>(hidden)</c> when set.
/// </summary>
internal static partial class ConfigApi
{
    private static readonly string[] Sections = ["EdgeVision", "Mqtt", "Http", "Store", "HomeAssistant"];

    [GeneratedRegex("(Password|Username|Source|File|Directory|Path|Key|Token|Secret)$", RegexOptions.IgnoreCase)]
    private static partial Regex Hidden();

    public static IEndpointRouteBuilder MapConfigApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/config", Config).WithName("Config").WithSummary("The effective configuration (view=given: as given), with secrets, sources and paths hidden");
        return app;
    }

    public static Results<ContentHttpResult, ProblemHttpResult> Config(AgentConfiguration agent, EffectiveConfiguration effective, string? view)
    {
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(effective);
        var root = new JsonObject();
        if (view is null or "effective")
        {
            foreach (var (name, node) in effective.Sections())
            {
                root[name] = Mask(name, node);
            }
        }
        else if (view == "given")
        {
            foreach (var name in Sections)
            {
                var section = agent.Root.GetSection(name);
                if (section.Exists())
                {
                    root[name] = Node(section);
                }
            }
        }
        else
        {
            return TypedResults.Problem(Problems.Of(400, "bad view", "view must be 'effective' or 'given'", "view"));
        }

        return TypedResults.Content(root.ToJsonString(), "application/json; charset=utf-8");
    }

    /// <summary>The node with every value under a hidden key replaced (null and empty values stay as they are: nothing to hide).</summary>
    private static JsonNode? Mask(string key, JsonNode? node)
    {
        if (node is null)
        {
            return null;
        }

        if (Hidden().IsMatch(key))
        {
            var empty = node is JsonValue value && value.TryGetValue<string>(out var text) && text.Length == 0
                || node is JsonArray { Count: 0 } || node is JsonObject { Count: 0 };
            return empty ? node.DeepClone() : "(hidden)";
        }

        switch (node)
        {
            case JsonObject obj:
                var copy = new JsonObject();
                foreach (var (name, child) in obj)
                {
                    copy[name] = Mask(name, child);
                }

                return copy;
            case JsonArray array:
                var items = new JsonArray();
                foreach (var item in array)
                {
                    items.Add(Mask(string.Empty, item));
                }

                return items;
            default:
                return node.DeepClone();
        }
    }

    private static JsonNode? Node(IConfigurationSection section)
    {
        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            return Hidden().IsMatch(section.Key) && !string.IsNullOrEmpty(section.Value) ? "(hidden)" : JsonValue.Create(section.Value);
        }

        // A hidden key hides everything below it too (a list of sources, say).
        if (Hidden().IsMatch(section.Key))
        {
            return "(hidden)";
        }

        var node = new JsonObject();
        foreach (var child in children)
        {
            node[child.Key] = Node(child);
        }

        return node;
    }
}

/// <summary>The agent's merged configuration, handed to the web server's container.</summary>
internal sealed record AgentConfiguration(IConfiguration Root);

/// <summary>The sections as the agent bound them, defaults filled in, as JSON in the configuration's own key names.</summary>
internal sealed class EffectiveConfiguration(Func<IEnumerable<(string Name, JsonNode? Node)>> sections)
{
    public IEnumerable<(string Name, JsonNode? Node)> Sections() => sections();
}

[JsonSourceGenerationOptions(UseStringEnumConverter = true, IgnoreReadOnlyProperties = true)]
[JsonSerializable(typeof(Hosting.EdgeVisionOptions))]
[JsonSerializable(typeof(Mqtt.MqttOptions))]
[JsonSerializable(typeof(HttpOptions))]
[JsonSerializable(typeof(Store.StoreOptions))]
internal sealed partial class ConfigJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
