using EdgeVision.Models;
using EdgeVision.Pipeline;

namespace EdgeVision.EdgeAgent.Hosting;

/// <summary>The agent's configuration, section "EdgeVision" (config/edgevision.json, EDGEVISION__… variables, --EdgeVision:… arguments).</summary>
internal sealed class EdgeVisionOptions
{
    public const string Section = "EdgeVision";

    /// <summary>Where <c>edgevision import-model</c> puts imported models; empty: <c>models</c> in the state directory.</summary>
    public string ModelDirectory { get; set; } = string.Empty;

    /// <summary>The model catalog of this configuration: imported models first, then the bundled ones.</summary>
    public ModelCatalog Catalog(AgentPaths paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        return new ModelCatalog([paths.ContentRoot, AppContext.BaseDirectory], ImportedModels(ModelDirectory));
    }

    /// <summary>The directory of imported models for a configured value (empty: the state directory's <c>models</c>).</summary>
    public static string ImportedModels(string? configured) =>
        string.IsNullOrWhiteSpace(configured) ? StateDirectory.Combine("models") : Path.GetFullPath(configured);

    /// <summary>Model name (a manifest in models/ or an imported model) or a path to a manifest .json.</summary>
    public string Model { get; set; } = "nanodet-g-416-int8";

    /// <summary>
    /// Lists whose defaults are not empty take the configured list in place of the default. The configuration
    /// binder appends to a list it finds filled, so <c>"ExecutionProviders": ["CPU"]</c> would otherwise bind as
    /// TensorRT, CUDA, CPU, CPU and still try the GPU.
    /// </summary>
    public static void ReplaceDefaultLists(EdgeVisionOptions options, Microsoft.Extensions.Configuration.IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(section);
        var providers = section.GetSection(nameof(Detector)).GetSection(nameof(DetectorOptions.ExecutionProviders)).GetChildren().Select(c => c.Value ?? string.Empty).ToArray();
        if (providers.Length > 0)
        {
            options.Detector.ExecutionProviders = providers;
        }
    }

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
