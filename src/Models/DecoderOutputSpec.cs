namespace EdgeVision.Models;

/// <summary>
/// One entry of the manifest's decoder.outputs. Anchor-free multi-level heads (NanoDet) give a stride with
/// separate scores and boxes outputs; single-tensor heads (YOLOv5's [1,25200,85], YOLOv8's [1,84,8400])
/// give only "predictions".
/// </summary>
public sealed class DecoderOutputSpec
{
    public int? Stride { get; init; }

    public string? Scores { get; init; }

    public string? Boxes { get; init; }

    public string? Predictions { get; init; }
}
