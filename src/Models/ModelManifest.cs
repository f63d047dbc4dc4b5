using System.Text.Json;
using System.Text.Json.Serialization;

namespace EdgeVision.Models;

/// <summary>
/// The JSON file that sits beside a model's .onnx in models/ and says everything needed to run it: the file
/// and its hash, the input tensor and its normalization, the decoder family and its outputs, the labels,
/// where the weights came from and under which licence. Field names are snake_case in the file.
/// </summary>
public sealed class ModelManifest
{
    /// <summary>The only format version this build reads; bumped when a field changes meaning.</summary>
    public const int CurrentFormatVersion = 1;

    private static readonly JsonSerializerOptions SerializerOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
    };

    public int? FormatVersion { get; init; }

    public string? Name { get; init; }

    /// <summary>The .onnx file, relative to the manifest's directory.</summary>
    public string? File { get; init; }

    /// <summary>Lower-case hex SHA-256 of <see cref="File"/>.</summary>
    public string? Sha256 { get; init; }

    /// <summary>"fp32", "fp16" or "int8": the precision of the weights in <see cref="File"/>.</summary>
    public string? Precision { get; init; }

    public ModelInputSpec? Input { get; init; }

    public DecoderSpec? Decoder { get; init; }

    /// <summary>A text file, relative to the manifest's directory, with one class label per line in class-id order.</summary>
    public string? Labels { get; init; }

    public ModelProvenance? Provenance { get; init; }

    public string? Licence { get; init; }

    /// <summary>Parses manifest JSON; <paramref name="sourceName"/> names it in errors. Does not validate.</summary>
    public static ModelManifest Parse(string json, string sourceName)
    {
        try
        {
            return JsonSerializer.Deserialize<ModelManifest>(json, SerializerOptions)
                ?? throw new ModelException($"model manifest {sourceName}: the file holds null, not an object");
        }
        catch (JsonException ex)
        {
            var field = string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "the document" : $"field '{ex.Path.TrimStart('$', '.')}'";
            throw new ModelException(
                $"model manifest {sourceName}: invalid JSON at line {ex.LineNumber + 1}: {field} is malformed or has the wrong type", ex);
        }
    }

    public string ToJson() => JsonSerializer.Serialize(this, SerializerOptions);

    /// <summary>Every problem with the manifest, each naming the field in its JSON spelling; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (FormatVersion != CurrentFormatVersion)
        {
            errors.Add($"format_version: must be {CurrentFormatVersion}, found {FormatVersion?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "nothing"}");
        }

        RequireText(errors, "name", Name);
        RequireRelativeFile(errors, "file", File);
        if (Sha256 is null || Sha256.Length != 64 || !Sha256.All(char.IsAsciiHexDigit))
        {
            errors.Add("sha256: must be the 64 hex digits of the .onnx file's SHA-256");
        }

        if (Precision is not ("fp32" or "fp16" or "int8"))
        {
            errors.Add($"precision: must be fp32, fp16 or int8, found '{Precision}'");
        }

        ValidateInput(errors);
        ValidateDecoder(errors);
        RequireRelativeFile(errors, "labels", Labels);
        RequireText(errors, "licence", Licence);
        if (Provenance is null)
        {
            errors.Add("provenance: missing");
        }
        else
        {
            RequireText(errors, "provenance.description", Provenance.Description);
            RequireText(errors, "provenance.source_package", Provenance.SourcePackage);
        }

        return errors;
    }

    private void ValidateInput(List<string> errors)
    {
        if (Input is null)
        {
            errors.Add("input: missing");
            return;
        }

        RequireText(errors, "input.name", Input.Name);
        if (Input.Width is not > 0)
        {
            errors.Add("input.width: must be a positive number of pixels");
        }

        if (Input.Height is not > 0)
        {
            errors.Add("input.height: must be a positive number of pixels");
        }

        if (Input.Layout is not ("NCHW" or "NHWC"))
        {
            errors.Add($"input.layout: must be NCHW or NHWC, found '{Input.Layout}'");
        }

        if (Input.SpaceToDepth is not (null or 1 or 2))
        {
            errors.Add($"input.space_to_depth: must be 1 or 2, found {Input.SpaceToDepth}");
        }
        else if (Input.SpaceToDepth == 2 && (Input.Layout != "NHWC" || Input.Width % 2 != 0 || Input.Height % 2 != 0))
        {
            errors.Add("input.space_to_depth: 2 needs input.layout NHWC and an even width and height");
        }

        if (Input.ElementType is not (null or "float32" or "uint8"))
        {
            errors.Add($"input.element_type: must be float32 or uint8, found '{Input.ElementType}'");
        }

        if (Input.Quantization is { } quantization)
        {
            if (Input.ElementType != "uint8")
            {
                errors.Add("input.quantization: only a uint8 input is quantized (input.element_type is not uint8)");
            }

            if (quantization.Scale is not > 0f || !float.IsFinite(quantization.Scale.Value))
            {
                errors.Add($"input.quantization.scale: must be a positive number, found {quantization.Scale?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "nothing"}");
            }

            if (quantization.ZeroPoint is not (>= 0 and <= 255))
            {
                errors.Add($"input.quantization.zero_point: must be a byte value from 0 to 255, found {quantization.ZeroPoint?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "nothing"}");
            }
        }

        if (Input.PadValue is < 0 or > 255)
        {
            errors.Add($"input.pad_value: must be a grey level from 0 to 255, found {Input.PadValue}");
        }

        if (Input.ChannelOrder is not ("BGR" or "RGB"))
        {
            errors.Add($"input.channel_order: must be BGR or RGB, found '{Input.ChannelOrder}'");
        }

        if (Input.Mean is not { Length: 3 } || !Input.Mean.All(float.IsFinite))
        {
            errors.Add("input.mean: must be three finite numbers, one per channel");
        }

        if (Input.Std is not { Length: 3 } || !Input.Std.All(value => value > 0f && float.IsFinite(value)))
        {
            errors.Add("input.std: must be three positive numbers, one per channel");
        }

        if (Input.NormalizationInGraph is null)
        {
            errors.Add("input.normalization_in_graph: missing (true or false)");
        }
    }

    private void ValidateDecoder(List<string> errors)
    {
        if (Decoder is null)
        {
            errors.Add("decoder: missing");
            return;
        }

        if (Decoder.Family is null || !DecoderSpec.KnownFamilies.Contains(Decoder.Family))
        {
            errors.Add($"decoder.family: must be one of {string.Join(", ", DecoderSpec.KnownFamilies)}, found '{Decoder.Family}'");
            return;
        }

        if (Decoder.Outputs is not { Length: > 0 })
        {
            errors.Add("decoder.outputs: must list at least one output");
            return;
        }

        if (Decoder.Family == DecoderSpec.CenterNet)
        {
            ValidateCenterNet(errors);
            return;
        }

        if (Decoder.Family != DecoderSpec.NanoDet)
        {
            // Single-tensor heads: one output carrying boxes and scores together.
            if (Decoder.Outputs.Length != 1)
            {
                errors.Add($"decoder.outputs: a {Decoder.Family} head has exactly one output");
            }

            RequireText(errors, "decoder.outputs[0].predictions", Decoder.Outputs[0].Predictions);
            if (Decoder.Boxes is <= 0 || (Decoder.Family == DecoderSpec.EndToEnd && Decoder.Boxes is null))
            {
                errors.Add($"decoder.boxes: the rows of the {Decoder.Family} output must be a positive integer{(Decoder.Family == DecoderSpec.EndToEnd ? " (required for e2e)" : string.Empty)}");
            }

            return;
        }

        if (Decoder.RegMax is not > 0)
        {
            errors.Add("decoder.reg_max: must be a positive integer");
        }

        if (Decoder.Strides is not { Length: > 0 } || Decoder.Strides.Any(stride => stride <= 0))
        {
            errors.Add("decoder.strides: must list the positive strides of the head's levels");
            return;
        }

        if (Decoder.Outputs.Length != Decoder.Strides.Length)
        {
            errors.Add($"decoder.outputs: must have one entry per stride ({Decoder.Strides.Length}), found {Decoder.Outputs.Length}");
            return;
        }

        for (var i = 0; i < Decoder.Outputs.Length; i++)
        {
            var output = Decoder.Outputs[i];
            if (output.Stride != Decoder.Strides[i])
            {
                errors.Add($"decoder.outputs[{i}].stride: must be {Decoder.Strides[i]} to match decoder.strides[{i}]");
            }

            RequireText(errors, $"decoder.outputs[{i}].scores", output.Scores);
            RequireText(errors, $"decoder.outputs[{i}].boxes", output.Boxes);
        }
    }

    /// <summary>CenterNet: one entry with the stride, the heat map as scores and the side distances as boxes.</summary>
    private void ValidateCenterNet(List<string> errors)
    {
        if (Decoder!.Outputs!.Length != 1)
        {
            errors.Add("decoder.outputs: a centernet head has exactly one entry (stride, scores = the heat map, boxes = the side distances)");
            return;
        }

        var output = Decoder.Outputs[0];
        if (output.Stride is not > 0)
        {
            errors.Add("decoder.outputs[0].stride: must be a positive integer (the heat map's cell size in input pixels)");
        }
        else if (Input?.Width is { } width && Input.Height is { } height && (width % output.Stride != 0 || height % output.Stride != 0))
        {
            errors.Add($"decoder.outputs[0].stride: the input size {width}x{height} must be a multiple of the stride {output.Stride}");
        }

        RequireText(errors, "decoder.outputs[0].scores", output.Scores);
        RequireText(errors, "decoder.outputs[0].boxes", output.Boxes);
        if (Decoder.Boxes is <= 0)
        {
            errors.Add("decoder.boxes: the most peaks an image keeps must be a positive integer");
        }
    }

    private static void RequireText(List<string> errors, string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add($"{field}: missing");
        }
    }

    private static void RequireRelativeFile(List<string> errors, string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add($"{field}: missing");
        }
        else if (Path.IsPathRooted(value))
        {
            errors.Add($"{field}: must be relative to the manifest's directory, found '{value}'");
        }
    }
}
