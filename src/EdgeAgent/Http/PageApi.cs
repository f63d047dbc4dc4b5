using System.Collections.Frozen;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace EdgeVision.EdgeAgent.Http;

/// <summary>The live page: four files embedded in the agent (no CDN, no disk), served as they are.</summary>
internal static class PageApi
{
    private static readonly FrozenDictionary<string, (byte[] Content, string Type)> Files = Load();

    public static IEndpointRouteBuilder MapPage(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", () => Serve("index.html")).WithName("Page").WithSummary("The live page");
        app.MapGet("/app.js", () => Serve("app.js")).WithName("PageScript");
        app.MapGet("/app.css", () => Serve("app.css")).WithName("PageStyle");
        app.MapGet("/favicon.svg", () => Serve("favicon.svg")).WithName("PageIcon");

        // Browsers ask for it whatever the page says; no content rather than a 404 in every console.
        app.MapGet("/favicon.ico", () => TypedResults.NoContent()).WithName("LegacyIcon");
        return app;
    }

    private static FileContentHttpResult Serve(string name)
    {
        var (content, type) = Files[name];
        return TypedResults.File(content, type);
    }

    private static FrozenDictionary<string, (byte[] Content, string Type)> Load()
    {
        var assembly = typeof(PageApi).Assembly;
        var files = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
        foreach (var (name, type) in (ReadOnlySpan<(string, string)>)[("index.html", "text/html; charset=utf-8"), ("app.js", "text/javascript; charset=utf-8"), ("app.css", "text/css; charset=utf-8"), ("favicon.svg", "image/svg+xml")])
        {
            using var stream = assembly.GetManifestResourceStream("web/" + name)
                ?? throw new InvalidOperationException($"the page file web/{name} is not embedded in the agent");
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            files[name] = (copy.ToArray(), type);
        }

        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
