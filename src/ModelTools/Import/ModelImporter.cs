using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using EdgeVision.Models;
using EdgeVision.ModelTools.Onnx.Proto;
using Microsoft.ML.OnnxRuntime;

namespace EdgeVision.ModelTools.Import;

/// <summary>What <see cref="ModelImporter"/> found in a file and would write for it.</summary>
public sealed record ImportedModel(string Name, string Family, int Width, int Height, int Rows, IReadOnlyList<string> Labels, string OutputName, string InputName, string Precision, JsonObject Manifest);

/// <summary>
/// Reads an exported detector (an Ultralytics YOLOv5, YOLOv8/YOLO11 or end-to-end export, or any file with the
/// same layouts): its one image input <c>[N, 3, H, W]</c>, its one output, and, when the export carries them,
/// Ultralytics' metadata (<c>names</c>, <c>imgsz</c>). It checks that the output fits the family — a mismatch is
/// one line naming the expected and the found shape — and makes the manifest: YOLO preprocessing (RGB, x/255,
/// grey 114 padding), the labels, the file's sha256 and provenance "imported".
/// </summary>
public static partial class ModelImporter
{
    [GeneratedRegex(@"(\d+)\s*:\s*(?:'((?:[^'\\]|\\.)*)'|""((?:[^""\\]|\\.)*)"")")]
    private static partial Regex NameEntry();

    [GeneratedRegex("^[a-z0-9][a-z0-9_.-]{0,63}$")]
    private static partial Regex ModelName();

    /// <param name="padValue">The letterbox padding's grey level: 114 for Ultralytics exports.</param>
    /// <param name="size">
    /// The input size to run at, for an export without a fixed one (<c>dynamic=True</c>); without it, the export's
    /// <c>imgsz</c>. The output's length at that size is found by running the model once.
    /// </param>
    public static ImportedModel Inspect(byte[] onnx, string fileName, string family, IReadOnlyList<string>? labels, string? name, int padValue = 114, (int Width, int Height)? size = null)
    {
        ArgumentNullException.ThrowIfNull(onnx);
        if (!DecoderSpec.KnownFamilies.Contains(family) || family == DecoderSpec.NanoDet)
        {
            throw new ModelException($"import-model: --family must be {DecoderSpec.YoloV5}, {DecoderSpec.YoloV8} or {DecoderSpec.EndToEnd}, found '{family}'");
        }

        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(onnx);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException ex)
        {
            throw new ModelException($"import-model: {fileName} is not an ONNX model ({ex.Message})");
        }

        var graph = model.Graph ?? throw new ModelException($"import-model: {fileName} has no graph");
        var initializers = graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var inputs = graph.Input.Where(i => !initializers.Contains(i.Name)).ToList();
        if (inputs.Count != 1)
        {
            throw new ModelException($"import-model: {fileName} has {inputs.Count} inputs ({string.Join(", ", inputs.Select(i => i.Name))}); a detector takes one image");
        }

        var input = inputs[0];
        var inputShape = Shape(input);
        if (inputShape.Length != 4 || inputShape[1] != 3)
        {
            throw new ModelException($"import-model: input '{input.Name}': expected [N, 3, H, W], found {Show(inputShape)}");
        }

        if (ElementTypeOf(input) != FloatElementType)
        {
            throw new ModelException(
                $"import-model: input '{input.Name}' is {ElementTypeName(ElementTypeOf(input))}; EdgeVision feeds float32 images, so export in float32 (not half): on a GPU, TensorRT builds FP16 kernels from a float32 file itself (EdgeVision:Detector:TensorRt:Fp16, on by default)");
        }

        if (graph.Output.Count != 1)
        {
            throw new ModelException($"import-model: {fileName} has {graph.Output.Count} outputs ({string.Join(", ", graph.Output.Select(o => o.Name))}); the {family} family reads one");
        }

        var metadata = model.MetadataProps.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        (int Width, int Height)? exported = metadata.TryGetValue("imgsz", out var imgsz)
            && Regex.Matches(imgsz, @"\d+").Select(m => int.Parse(m.Value, System.Globalization.CultureInfo.InvariantCulture)).ToArray() is [var h, var w]
            ? (w, h)
            : null;
        var fixedSize = inputShape[2] > 0 && inputShape[3] > 0;
        var (width, height) = fixedSize ? ((int)inputShape[3], (int)inputShape[2])
            : size ?? exported ?? throw new ModelException(
                $"import-model: input '{input.Name}' {Show(inputShape)} has no fixed size and the export carries no imgsz; give the size to run at with --size WIDTHxHEIGHT");
        if (fixedSize && exported is { } e && e != (width, height))
        {
            throw new ModelException($"import-model: the export's imgsz {imgsz} does not match its input {Show(inputShape)}");
        }

        if (fixedSize && size is { } given && given != (width, height))
        {
            throw new ModelException($"import-model: --size {given.Width}x{given.Height} does not match the input {Show(inputShape)}; it is for exports without a fixed size");
        }

        if ((inputShape[2] > 0 && inputShape[2] != height) || (inputShape[3] > 0 && inputShape[3] != width))
        {
            throw new ModelException($"import-model: {width}x{height} does not fit the input {Show(inputShape)}");
        }

        labels ??= metadata.TryGetValue("names", out var names) ? ParseNames(names) : null;
        var output = graph.Output[0];
        if (ElementTypeOf(output) != FloatElementType)
        {
            throw new ModelException($"import-model: output '{output.Name}' is {ElementTypeName(ElementTypeOf(output))}; the {family} decoder reads float32, so export in float32 (not half)");
        }

        var shape = Shape(output);
        if (shape.Length == 3 && (shape[1] <= 0 || shape[2] <= 0))
        {
            // A dynamic export's output length follows its input size: run it once at the chosen size to see it.
            var probed = OutputShapeAt(onnx, fileName, input.Name, output.Name, width, height);
            shape = [shape[0], .. probed.Skip(1)];
        }

        var (expected, rows, classes) = family switch
        {
            DecoderSpec.YoloV5 => ("[N, boxes, 5 + classes]", shape.Length == 3 && shape[1] > 0 && shape[2] > 5 ? (int)shape[1] : -1, shape.Length == 3 ? (int)shape[2] - 5 : -1),
            DecoderSpec.YoloV8 => ("[N, 4 + classes, boxes]", shape.Length == 3 && shape[2] > 0 && shape[1] > 4 ? (int)shape[2] : -1, shape.Length == 3 ? (int)shape[1] - 4 : -1),
            _ => ("[N, K, 6]", shape.Length == 3 && shape[1] > 0 && shape[2] == 6 ? (int)shape[1] : -1, labels?.Count ?? -1),
        };
        if (rows < 0)
        {
            throw new ModelException($"import-model: output '{output.Name}' does not fit the {family} family: expected {expected}, found {Show(shape)}");
        }

        if (labels is null)
        {
            throw new ModelException($"import-model: {fileName} carries no class names (Ultralytics 'names' metadata); give them with --labels FILE, one per line");
        }

        if (classes != labels.Count)
        {
            throw new ModelException($"import-model: output '{output.Name}' {Show(shape)} scores {classes} classes but {labels.Count} labels were given");
        }

        name ??= Slug(Path.GetFileNameWithoutExtension(fileName));
        if (!ModelName().IsMatch(name))
        {
            throw new ModelException($"import-model: --name '{name}' must be 1 to 64 characters of a-z, 0-9, '_', '-' or '.', starting with a letter or digit");
        }

        var precision = graph.Node.Any(n => n.OpType is "QuantizeLinear" or "QLinearConv" or "DequantizeLinear") ? "int8" : "fp32";
        var manifest = new JsonObject
        {
            ["format_version"] = 1,
            ["name"] = name,
            ["file"] = name + ".onnx",
            ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(onnx)),
            ["precision"] = precision,
            ["input"] = new JsonObject
            {
                ["name"] = input.Name,
                ["width"] = width,
                ["height"] = height,
                ["layout"] = "NCHW",
                ["channel_order"] = "RGB",
                ["mean"] = new JsonArray(0, 0, 0),
                ["std"] = new JsonArray(255, 255, 255),
                ["pad_value"] = padValue,
                ["normalization_in_graph"] = false,
            },
            ["decoder"] = new JsonObject
            {
                ["family"] = family,
                ["boxes"] = rows,
                ["outputs"] = new JsonArray(new JsonObject { ["predictions"] = output.Name }),
            },
            ["labels"] = name + ".labels",
            ["provenance"] = new JsonObject
            {
                ["description"] = $"imported from {Path.GetFileName(fileName)} ({family}; producer {(model.ProducerName.Length > 0 ? model.ProducerName : "unknown")}) with edgevision import-model",
                ["source_package"] = "imported",
            },
            ["licence"] = "as given by the model's owner (imported; not checked)",
        };
        return new ImportedModel(name, family, width, height, rows, labels, output.Name, input.Name, precision, manifest);
    }

    /// <summary>Ultralytics writes class names as a Python dict: <c>{0: 'person', 1: 'bicycle'}</c>.</summary>
    public static IReadOnlyList<string> ParseNames(string names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var entries = NameEntry().Matches(names)
            .Select(m => (Index: int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), Name: (m.Groups[2].Success ? m.Groups[2].Value : m.Groups[3].Value).Replace("\\'", "'", StringComparison.Ordinal)))
            .OrderBy(e => e.Index)
            .ToList();
        return entries.Count > 0 && entries.Select((e, i) => e.Index == i).All(ok => ok)
            ? entries.Select(e => e.Name).ToArray()
            : throw new ModelException($"import-model: cannot read the class names in the export's metadata; give them with --labels FILE");
    }

    private static long[] OutputShapeAt(byte[] onnx, string fileName, string inputName, string outputName, int width, int height)
    {
        try
        {
            using var options = new SessionOptions { IntraOpNumThreads = 1, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
            using var session = new InferenceSession(onnx, options);
            var zeros = new float[3 * width * height];
            using var value = OrtValue.CreateTensorValueFromMemory(zeros, [1, 3, height, width]);
            using var run = new RunOptions();
            using var outputs = session.Run(run, [inputName], [value], [outputName]);
            return outputs[0].GetTensorTypeAndShape().Shape;
        }
        catch (OnnxRuntimeException ex)
        {
            throw new ModelException($"import-model: {Path.GetFileName(fileName)} does not run at {width}x{height}: {ex.Message.Split('\n')[0]}", ex);
        }
    }

    private const int FloatElementType = (int)TensorProto.Types.DataType.Float;

    private static int ElementTypeOf(ValueInfoProto value) => value.Type?.TensorType?.ElemType ?? 0;

    private static string ElementTypeName(int type) => (TensorProto.Types.DataType)type switch
    {
        TensorProto.Types.DataType.Float => "float32",
        TensorProto.Types.DataType.Float16 => "float16",
        TensorProto.Types.DataType.Double => "float64",
        TensorProto.Types.DataType.Undefined => "of no declared element type",
        var known when Enum.IsDefined(known) => known.ToString().ToLowerInvariant(),
        _ => $"of element type {type}",
    };

    private static long[] Shape(ValueInfoProto value) =>
        value.Type?.TensorType?.Shape?.Dim.Select(d => d.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? d.DimValue : -1).ToArray() ?? [];

    private static string Show(long[] shape) => "[" + string.Join(", ", shape.Select(d => d < 0 ? "?" : d.ToString(System.Globalization.CultureInfo.InvariantCulture))) + "]";

    private static string Slug(string text)
    {
        var slug = Regex.Replace(text.ToLowerInvariant(), "[^a-z0-9_.-]+", "-").Trim('-', '.', '_');
        return slug.Length == 0 ? "imported" : slug[..Math.Min(slug.Length, 64)];
    }
}
