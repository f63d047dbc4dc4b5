using System.Diagnostics;
using EdgeVision.Models;
using EdgeVision.ModelTools.Onnx;
using EdgeVision.ModelTools.Quantization;

namespace EdgeVision.EdgeAgent.Verbs;

/// <summary><c>quantize</c>: a float ONNX model to a static INT8 QDQ model, calibrated on real frames.</summary>
internal sealed class QuantizeVerb : IVerb
{
    public string Name => "quantize";

    public string Usage => "<in.onnx> <out.onnx> --calibration <video|folder> [--model NAME] [--frames N] [--start I] [--step S] [--method minmax|percentile|mse] [--percentile P] [--activations uint8|int8] [--keep-float node,node] [--ops Conv,Add,...] [--input float|uint8-nhwc|uint8-blocks] [--refit] [--refit-frames N] [--refit-round] [--manifest OUT.json]";

    public Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var parsed = VerbArguments.Parse(Name, args, ["calibration=", "model=", "frames=", "start=", "step=", "method=", "percentile=", "activations=", "keep-float=", "ops=", "threads=", "input=", "manifest=", "refit", "refit-frames=", "refit-round"]);
        var input = parsed.Positional(0, "the float .onnx path");
        var output = parsed.Positional(1, "the output .onnx path");
        parsed.ExpectPositionals(2);
        var calibration = parsed.Get("calibration") ?? throw new UserFacingException($"{Name}: --calibration <video|folder> is required", 2);
        var (quantizedInput, spaceToDepth) = parsed.Get("input", "float") switch
        {
            "float" => (false, 1),
            "uint8-nhwc" => (true, 1),
            "uint8-blocks" => (true, 2),
            var i => throw new UserFacingException($"{Name}: --input must be float, uint8-nhwc or uint8-blocks, got '{i}'", 2),
        };
        var refitCount = parsed.Has("refit") || parsed.Has("refit-frames") || parsed.Has("refit-round") ? parsed.GetInt("refit-frames", 32, 1, 10_000) : 0;
        var manifestOut = parsed.Get("manifest");
        if (manifestOut is not null && !manifestOut.EndsWith(".json", StringComparison.Ordinal))
        {
            throw new UserFacingException($"{Name}: --manifest must name a .json file, got '{manifestOut}'", 2);
        }

        var options = new QuantizationOptions
        {
            Method = parsed.Get("method", "minmax") switch
            {
                "minmax" => CalibrationMethod.MinMax,
                "percentile" => CalibrationMethod.Percentile,
                "mse" => CalibrationMethod.Mse,
                var m => throw new UserFacingException($"{Name}: --method must be minmax, percentile or mse, got '{m}'", 2),
            },
            Percentile = parsed.GetDouble("percentile", 99.999, 90, 100),
            Activations = parsed.Get("activations", "uint8") switch
            {
                "uint8" => ActivationType.UInt8,
                "int8" => ActivationType.Int8,
                var a => throw new UserFacingException($"{Name}: --activations must be uint8 or int8, got '{a}'", 2),
            },
            KeepFloatNodes = parsed.Get("keep-float", string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal),
        };
        if (parsed.Get("ops") is { } ops)
        {
            var types = ops.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
            var known = QuantizationOptions.SupportedOpTypes;
            if (types.Count == 0 || types.FirstOrDefault(t => !known.Contains(t)) is { } unknown && unknown is not null)
            {
                throw new UserFacingException($"{Name}: --ops takes op types from {string.Join(", ", known)}, found '{ops}'", 2);
            }

            options = options with { QuantizedOpTypes = types };
        }

        // The manifest gives the preprocessing; calibration frames must look exactly like run-time frames.
        var manifestPath = ModelCatalog.Default.ResolveManifestPath(parsed.Get("model", "nanodet-g-416"));
        var manifest = ModelCatalog.ReadManifest(manifestPath);

        var frames = new CalibrationFrames(
            calibration,
            manifest.Input!,
            parsed.GetInt("frames", 100, 1, 100_000),
            parsed.GetInt("start", 0, 0, int.MaxValue),
            parsed.GetInt("step", 4, 1, 100_000));

        var graph = OnnxModelFile.Load(input);
        var missing = options.KeepFloatNodes.Where(n => graph.Nodes.All(node => node.Name != n)).ToList();
        if (missing.Count > 0)
        {
            throw new UserFacingException($"{Name}: --keep-float names nodes that are not in {input}: {string.Join(", ", missing)}", 2);
        }

        var threads = parsed.GetInt("threads", Environment.ProcessorCount, 1, 256);
        var clock = Stopwatch.StartNew();
        var tensors = QdqQuantizer.TensorsToCalibrate(graph, options);
        var progress = ProgressReport.ForConsole(Name);
        var ranges = CalibrationCollector.Collect(
            graph, tensors, frames.Read, options, threads,
            (pass, passes, done) => progress.Report(
                passes == 1 ? "calibrating (ranges)" : pass == 1 ? "calibrating, pass 1 of 2 (ranges)" : "calibrating, pass 2 of 2 (histograms)",
                done, frames.Count, "frames"));
        var calibrated = $"{Path.GetFileName(calibration)} frames {frames.Start}..{frames.Indices.Last()} step {frames.Step}";
        if (refitCount > 0)
        {
            var refitFrames = RefitFrames(calibration, manifestPath, manifest, frames, refitCount, threads, progress);
            graph = ConvolutionRefit.Refit(
                graph,
                ranges,
                options,
                refitFrames,
                manifest.Input!.ItemShape(),
                (manifest.Input.Height!.Value, manifest.Input.Width!.Value),
                new RefitOptions { Threads = threads, RoundWeights = parsed.Has("refit-round") },
                (done, total) => progress.Report("refitting convolutions", done, total, "convolutions"));
            calibrated += $"; convolutions refitted on {refitFrames.Count} of them";
        }

        progress.Stage($"quantizing {tensors.Count} activation tensors and writing {output}");
        var quantized = QdqQuantizer.Quantize(graph, ranges, options);
        quantized.Metadata["calibration"] = calibrated;
        QuantizationParameters? inputQuantization = quantizedInput ? QuantizedInput.ToUInt8Nhwc(quantized, spaceToDepth) : null;
        OnnxModelFile.Save(quantized, output);
        Console.WriteLine($"wrote {output}: {tensors.Count} activation tensors calibrated on {frames.Count} frames ({options.Method}, {options.Activations}) in {clock.Elapsed.TotalSeconds:F1} s");
        if (inputQuantization is { } q)
        {
            Console.WriteLine(FormattableString.Invariant($"input '{quantized.Inputs[0].Name}': uint8 NHWC{(spaceToDepth > 1 ? " in 2x2 blocks" : string.Empty)}, scale {q.Scale:R}, zero point {q.ZeroPoint}"));
        }

        if (manifestOut is not null)
        {
            QuantizedManifest.Write(
                manifestPath,
                output,
                manifestOut,
                inputQuantization,
                QuantizedManifest.Describe(manifest.Name ?? Path.GetFileNameWithoutExtension(input), options, calibrated, quantizedInput, spaceToDepth),
                spaceToDepth);
            Console.WriteLine($"wrote {manifestOut}");
        }
        return Task.FromResult(0);
    }

    /// <summary>
    /// Every k-th calibration frame (about <paramref name="count"/> of them), with the boxes the float model detects in
    /// it at its default threshold, mapped into the network input.
    /// </summary>
    private static List<RefitFrame> RefitFrames(string calibration, string manifestPath, ModelManifest manifest, CalibrationFrames frames, int count, int threads, ProgressReport progress)
    {
        var every = Math.Max(1, frames.Count / count);
        var subset = new CalibrationFrames(calibration, manifest.Input!, Math.Min(count, frames.Count), frames.Start, frames.Step * every);
        using var detector = OnnxDetector.Create(ModelCatalog.LoadManifest(manifestPath), new DetectorOptions { ExecutionProviders = [ExecutionProvider.Cpu], IntraOpThreads = threads });
        var result = new List<RefitFrame>();
        Detection[] found = [];
        foreach (var (tensor, letterbox) in subset.ReadWithLetterbox(image => found = detector.Detect(image)))
        {
            var boxes = found.Select(d => new ObjectBox(
                (d.X1 * letterbox.Scale) + letterbox.PadX,
                (d.Y1 * letterbox.Scale) + letterbox.PadY,
                (d.X2 * letterbox.Scale) + letterbox.PadX,
                (d.Y2 * letterbox.Scale) + letterbox.PadY)).ToList();
            result.Add(new RefitFrame(tensor, boxes));
            progress.Report("finding objects for the refit", result.Count, subset.Count, "frames");
        }

        return result;
    }
}
