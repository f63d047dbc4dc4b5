namespace EdgeVision.Models;

/// <summary>Builds the decoder a manifest's decoder.family names.</summary>
internal static class DetectionDecoderFactory
{
    public static IDetectionDecoder Create(ModelPackage model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var manifest = model.Manifest;
        var decoder = manifest.Decoder!;
        return decoder.Family switch
        {
            DecoderSpec.NanoDet => new NanoDetDecoder(
                manifest.Input!.Width!.Value,
                manifest.Input.Height!.Value,
                decoder.Outputs!.Select(output => new NanoDetLevel(output.Stride!.Value, output.Scores!, output.Boxes!)).ToArray(),
                decoder.RegMax!.Value,
                model.Labels),
            DecoderSpec.YoloV5 => new YoloV5Decoder(Predictions(manifest), decoder.Boxes ?? YoloBoxes(manifest, anchors: 3), model.Labels),
            DecoderSpec.YoloV8 => new YoloV8Decoder(Predictions(manifest), decoder.Boxes ?? YoloBoxes(manifest, anchors: 1), model.Labels),
            DecoderSpec.EndToEnd => new EndToEndDecoder(Predictions(manifest), decoder.Boxes ?? throw new ModelException($"model {manifest.Name}: decoder.boxes (the K of the [N, K, 6] output) is required for the e2e family"), model.Labels),
            DecoderSpec.CenterNet => new CenterNetDecoder(
                manifest.Input!.Width!.Value,
                manifest.Input.Height!.Value,
                decoder.Outputs![0].Stride!.Value,
                decoder.Outputs[0].Scores!,
                decoder.Outputs[0].Boxes!,
                decoder.Boxes ?? 100,
                model.Labels),
            _ => throw new ModelException(
                $"model {manifest.Name}: unknown decoder family '{decoder.Family}' (known: {string.Join(", ", DecoderSpec.KnownFamilies)})"),
        };
    }

    private static string Predictions(ModelManifest manifest) =>
        manifest.Decoder!.Outputs is [{ Predictions: { Length: > 0 } name }]
            ? name
            : throw new ModelException($"model {manifest.Name}: the {manifest.Decoder.Family} family reads one output: give decoder.outputs as [{{\"predictions\": \"<output name>\"}}]");

    /// <summary>Rows of a YOLO head over strides 8, 16 and 32 (or the manifest's) for the input size.</summary>
    private static int YoloBoxes(ModelManifest manifest, int anchors)
    {
        var width = manifest.Input!.Width!.Value;
        var height = manifest.Input.Height!.Value;
        var strides = manifest.Decoder!.Strides ?? [8, 16, 32];
        return anchors * strides.Sum(s => ((width + s - 1) / s) * ((height + s - 1) / s));
    }
}
