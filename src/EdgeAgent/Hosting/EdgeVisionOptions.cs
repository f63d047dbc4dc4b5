using EdgeVision.Models;
using EdgeVision.Pipeline;

namespace EdgeVision.EdgeAgent.Hosting;

/// <summary>The agent's configuration, section "EdgeVision" (config/edgevision.json, EDGEVISION__… variables, --EdgeVision:… arguments).</summary>
public sealed class EdgeVisionOptions
{
    public const string Section = "EdgeVision";

    /// <summary>Model name (a manifest in models/) or a path to a manifest .json.</summary>
    public string Model { get; set; } = "nanodet-g-416-int8";

    public DetectorOptions Detector { get; set; } = new();

    public PipelineOptions Pipeline { get; set; } = new();

    public List<CameraOptions> Cameras { get; set; } = new();

    /// <summary>How often the console summary is redrawn; zero turns it off.</summary>
    public TimeSpan ConsoleSummaryInterval { get; set; } = TimeSpan.FromSeconds(2);
}
