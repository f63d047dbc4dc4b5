using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeVision.Models;

namespace EdgeVision.ModelTools.Quantization;

/// <summary>
/// Writes the manifest of a quantized model: the float model's manifest (decoder, labels, normalization,
/// licence) with the fields that describe the new file: name, file, sha256, precision, and the input's element
/// type, layout and quantization when the graph takes bytes. When the manifest already exists, its provenance
/// and licence are kept (they may have been written by hand) and only those fields are replaced.
/// </summary>
public static class QuantizedManifest
{
    // Manifests are read by people: apostrophes and non-ASCII stay as they are rather than \u escapes.
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <param name="sourceManifestPath">The float model's manifest.</param>
    /// <param name="modelPath">The quantized .onnx file, already written.</param>
    /// <param name="manifestPath">Where the manifest goes; its directory must hold (or receives a copy of) the labels file.</param>
    /// <param name="input">The input's quantization when the graph takes uint8 NHWC; null when it takes the float input.</param>
    /// <param name="spaceToDepth">2 when the uint8 input comes in 2×2 pixel blocks.</param>
    /// <param name="description">The provenance description for a new manifest.</param>
    public static void Write(string sourceManifestPath, string modelPath, string manifestPath, QuantizationParameters? input, string description, int spaceToDepth = 1)
    {
        var source = ModelCatalog.ReadManifest(sourceManifestPath);
        var node = JsonNode.Parse(File.Exists(manifestPath) ? File.ReadAllText(manifestPath) : source.ToJson())!.AsObject();
        var sourceNode = JsonNode.Parse(source.ToJson())!.AsObject();
        var manifestDirectory = Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;
        var modelDirectory = Path.GetDirectoryName(Path.GetFullPath(modelPath))!;
        if (!string.Equals(manifestDirectory, modelDirectory, StringComparison.Ordinal))
        {
            throw new ToolInputException($"the manifest {manifestPath} must sit in the same directory as the model it describes ({modelPath})");
        }

        node["name"] = Path.GetFileNameWithoutExtension(manifestPath);
        node["file"] = Path.GetFileName(modelPath);
        node["sha256"] = ModelCatalog.ComputeSha256(modelPath);
        node["precision"] = "int8";
        node["decoder"] = sourceNode["decoder"]!.DeepClone();
        node["labels"] = source.Labels;

        var inputNode = sourceNode["input"]!.DeepClone().AsObject();
        if (input is { } q)
        {
            inputNode["layout"] = "NHWC";
            inputNode["element_type"] = "uint8";
            inputNode["quantization"] = new JsonObject { ["scale"] = q.Scale, ["zero_point"] = q.ZeroPoint };
            if (spaceToDepth > 1)
            {
                inputNode["space_to_depth"] = spaceToDepth;
            }
        }

        node["input"] = inputNode;
        if (!File.Exists(manifestPath))
        {
            node["provenance"] = new JsonObject
            {
                ["description"] = description,
                ["source_package"] = source.Provenance?.SourcePackage ?? "unknown",
            };
        }

        // The labels file is named relative to the manifest; bring it along when the manifest lands elsewhere.
        var sourceLabels = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(sourceManifestPath))!, source.Labels!);
        var targetLabels = Path.Combine(manifestDirectory, source.Labels!);
        if (!File.Exists(targetLabels))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(targetLabels)!);
            File.Copy(sourceLabels, targetLabels);
        }

        var json = node.ToJsonString(Indented) + "\n";
        var errors = ModelManifest.Parse(json, manifestPath).Validate();
        if (errors.Count > 0)
        {
            throw new ModelException($"the manifest written for {modelPath} is not valid: {string.Join("; ", errors)}");
        }

        File.WriteAllText(manifestPath, json);
    }

    /// <summary>The provenance text for a model quantized from <paramref name="sourceName"/>.</summary>
    public static string Describe(string sourceName, QuantizationOptions options, string calibration, bool quantizedInput, int spaceToDepth = 1)
    {
        var activations = options.Activations == ActivationType.UInt8 ? "uint8" : "int8";
        var ranges = options.Method switch
        {
            CalibrationMethod.Percentile => string.Create(CultureInfo.InvariantCulture, $"{options.Percentile}th percentile"),
            CalibrationMethod.Mse => "least squared error",
            _ => "min-max",
        };
        var inputNote = !quantizedInput ? "."
            : spaceToDepth > 1 ? "; the input is uint8 NHWC in 2×2 pixel blocks (the first convolution's stride folded into it), quantized by the preprocessing."
            : "; the input is uint8 NHWC, quantized by the preprocessing.";
        return $"{sourceName} statically quantized to INT8 in the QDQ format by edgevision's quantizer: per-channel symmetric int8 weights, "
            + $"{activations} activations ({ranges} ranges) calibrated on {calibration}{inputNote}";
    }
}
