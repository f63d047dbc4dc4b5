using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;

namespace EdgeVision.EdgeAgent.Http;

/// <summary>
/// The configuration the agent runs with, as given (file, then environment, then command line, merged), for
/// someone checking what a box was told. Anything that can hold a secret or says where something is on the device
/// (passwords and user names, camera sources, files, directories, paths) is shown as <c>(hidden)</c>.
/// </summary>
public static partial class ConfigApi
{
    private static readonly string[] Sections = ["EdgeVision", "Mqtt", "Http", "Store", "HomeAssistant"];

    [GeneratedRegex("(Password|Username|Source|File|Directory|Path|Key|Token|Secret)$", RegexOptions.IgnoreCase)]
    private static partial Regex Hidden();

    public static IEndpointRouteBuilder MapConfigApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/config", Config).WithName("Config").WithSummary("The configuration as given, with secrets, sources and paths hidden");
        return app;
    }

    public static ContentHttpResult Config(AgentConfiguration agent)
    {
        var configuration = agent.Root;
        var root = new JsonObject();
        foreach (var name in Sections)
        {
            var section = configuration.GetSection(name);
            if (section.Exists())
            {
                root[name] = Node(section);
            }
        }

        return TypedResults.Content(root.ToJsonString(), "application/json; charset=utf-8");
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
public sealed record AgentConfiguration(IConfiguration Root);
