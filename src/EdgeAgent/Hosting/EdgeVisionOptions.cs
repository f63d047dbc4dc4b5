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

    /// <summary>Where best snapshots are kept; empty: $STATE_DIRECTORY/snapshots under systemd, else ~/.local/state/edgevision/snapshots.</summary>
    public string SnapshotDirectory { get; set; } = string.Empty;

    /// <summary>Bytes the snapshot archive may hold before the oldest files go; 0 keeps none.</summary>
    public long SnapshotArchiveBytes { get; set; } = 200L * 1024 * 1024;

    /// <summary>How often the console summary is redrawn; zero turns it off.</summary>
    public TimeSpan ConsoleSummaryInterval { get; set; } = TimeSpan.FromSeconds(2);
}
