namespace EdgeVision.Models;

/// <summary>Builds the decoder a manifest's decoder.family names.</summary>
public static class DetectionDecoderFactory
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
            _ => throw new UserFacingException(
                $"model {manifest.Name}: decoder family '{decoder.Family}' is not implemented in this version (supported: {DecoderSpec.NanoDet})"),
        };
    }
}
