namespace EdgeVision.Models;

/// <summary>A validated manifest together with the files it names, checked against its hash.</summary>
public sealed class ModelPackage
{
    internal ModelPackage(ModelManifest manifest, string manifestPath, string modelPath, IReadOnlyList<string> labels)
    {
        Manifest = manifest;
        ManifestPath = manifestPath;
        ModelPath = modelPath;
        Labels = labels;
    }

    public ModelManifest Manifest { get; }

    /// <summary>Absolute path of the manifest.</summary>
    public string ManifestPath { get; }

    /// <summary>Absolute path of the .onnx file.</summary>
    public string ModelPath { get; }

    /// <summary>Class labels, indexed by class id.</summary>
    public IReadOnlyList<string> Labels { get; }

    public string Name => Manifest.Name!;
}
