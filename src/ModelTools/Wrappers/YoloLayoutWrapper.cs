using EdgeVision.Models;
using EdgeVision.ModelTools.Onnx;

namespace EdgeVision.ModelTools.Wrappers;

/// <summary>
/// Re-expresses a NanoDet head's outputs in a YOLO export's layout by appending operations to its graph: per
/// level the softmax expectation of each side's bins, times the stride, from the cell centre, gives the corners;
/// those become centre, width and height; the levels are concatenated and the class scores appended
/// (<c>[N, boxes, 5 + classes]</c> with objectness 1 for YOLOv5, <c>[N, 4 + classes, boxes]</c> for YOLOv8).
/// Optionally it takes YOLO-style input (RGB, 0–1) and turns it into what NanoDet expects (BGR, mean/std) first.
/// A tool to prove the YOLO decoders on a real network's detections; the wrappers are not shipped as models.
/// </summary>
internal static class YoloLayoutWrapper
{
    public const string OutputName = "output0";

    /// <param name="graph">The NanoDet graph (changed in place and returned).</param>
    /// <param name="manifest">Its manifest: input size, strides, reg_max, output names, mean and std.</param>
    /// <param name="family"><see cref="DecoderSpec.YoloV5"/> or <see cref="DecoderSpec.YoloV8"/>.</param>
    /// <param name="yoloInput">Take RGB values in 0–1 instead of the network's own normalization.</param>
    /// <param name="endToEnd">For <see cref="DecoderSpec.EndToEnd"/>: the rows kept, and the class-aware NMS run inside the graph.</param>
    public static OnnxGraph Wrap(OnnxGraph graph, ModelManifest manifest, int classes, string family, bool yoloInput, EndToEndOptions? endToEnd = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(manifest);
        if (family is not (DecoderSpec.YoloV5 or DecoderSpec.YoloV8 or DecoderSpec.EndToEnd))
        {
            throw new ArgumentException($"family must be {DecoderSpec.YoloV5}, {DecoderSpec.YoloV8} or {DecoderSpec.EndToEnd}", nameof(family));
        }

        var decoder = manifest.Decoder!;
        var input = manifest.Input!;
        var width = input.Width!.Value;
        var height = input.Height!.Value;
        var bins = decoder.RegMax!.Value + 1;
        var builder = new Builder(graph);

        if (yoloInput)
        {
            PrependYoloInput(graph, builder, input);
        }

        var corners = new List<string>();
        var scores = new List<string>();
        var totalCells = 0;
        foreach (var level in decoder.Outputs!)
        {
            var stride = level.Stride!.Value;
            var columns = (width + stride - 1) / stride;
            var rows = (height + stride - 1) / stride;
            var cells = columns * rows;
            totalCells += cells;

            // [N, cells, 4·bins] → [N, cells, 4, bins] → softmax → Σ i·p_i → [N, cells, 4] distances in pixels.
            var split = builder.Op("Reshape", [level.Boxes!, builder.Longs([0, cells, 4, bins])]);
            var softmax = builder.Op("Softmax", [split], ("axis", -1L));
            var weighted = builder.Op("Mul", [softmax, builder.Floats([.. Enumerable.Range(0, bins).Select(i => (float)i)], bins)]);
            var expectation = builder.Op("ReduceSum", [weighted, builder.Longs([-1])], ("keepdims", 0L));
            var distances = builder.Op("Mul", [expectation, builder.Floats([-stride, -stride, stride, stride], 4)]);

            // Corners = cell centre (cx, cy, cx, cy) + (−l, −t, r, b).
            var centres = new float[cells * 4];
            for (var cell = 0; cell < cells; cell++)
            {
                var cx = ((cell % columns) + 0.5f) * stride;
                var cy = ((cell / columns) + 0.5f) * stride;
                (centres[cell * 4], centres[(cell * 4) + 1], centres[(cell * 4) + 2], centres[(cell * 4) + 3]) = (cx, cy, cx, cy);
            }

            corners.Add(builder.Op("Add", [distances, builder.Floats(centres, cells, 4)]));
            scores.Add(level.Scores!);
        }

        var allCorners = builder.Op("Concat", [.. corners], ("axis", 1L));
        var allScores = builder.Op("Concat", [.. scores], ("axis", 1L));
        if (family == DecoderSpec.EndToEnd)
        {
            var e2e = endToEnd ?? new EndToEndOptions();
            builder.Rename(EndToEndRows(builder, allCorners, allScores, totalCells, e2e), OutputName);
            graph.Outputs.Clear();
            graph.Outputs.Add(new OnnxValueInfo(OutputName, ElementType.Float, ["N", e2e.Rows, 6]));
            graph.RemoveDeadNodes();
            graph.SortTopologically();
            return graph;
        }

        // (x1, y1, x2, y2) · M = (cx, cy, w, h).
        float[] toCentre =
        [
            0.5f, 0f, -1f, 0f,
            0f, 0.5f, 0f, -1f,
            0.5f, 0f, 1f, 0f,
            0f, 0.5f, 0f, 1f,
        ];
        var centreBoxes = builder.Op("MatMul", [allCorners, builder.Floats(toCentre, 4, 4)]);

        string output;
        if (family == DecoderSpec.YoloV8)
        {
            var rowsOut = builder.Op("Concat", [centreBoxes, allScores], ("axis", 2L));
            output = builder.Op("Transpose", [rowsOut], ("perm", new long[] { 0, 2, 1 }));
        }
        else
        {
            // Objectness 1: a class's confidence, objectness × score, is then its score exactly.
            var firstScore = builder.Op("Slice", [allScores, builder.Longs([0]), builder.Longs([1]), builder.Longs([2])]);
            var ones = builder.Op("Add", [builder.Op("Mul", [firstScore, builder.Floats([0f])]), builder.Floats([1f])]);
            output = builder.Op("Concat", [centreBoxes, ones, allScores], ("axis", 2L));
        }

        builder.Rename(output, OutputName);
        graph.Outputs.Clear();
        graph.Outputs.Add(new OnnxValueInfo(OutputName, ElementType.Float,
            family == DecoderSpec.YoloV8 ? ["N", 4 + classes, totalCells] : ["N", totalCells, 5 + classes]));
        graph.RemoveDeadNodes();
        graph.SortTopologically();
        return graph;
    }

    /// <summary>
    /// [N, K, 6] rows (x1, y1, x2, y2, score, class) of what survives class-aware NMS: ONNX NonMaxSuppression picks
    /// (item, class, box) triples, a mask scattered from them keeps those scores, and the K best of every item's
    /// classes × boxes become its rows (score 0 where fewer survived).
    /// </summary>
    private static string EndToEndRows(Builder builder, string corners, string scores, int boxes, EndToEndOptions options)
    {
        var byClass = builder.Op("Transpose", [scores], ("perm", new long[] { 0, 2, 1 }));
        var selected = builder.Op("NonMaxSuppression", [corners, byClass, builder.Longs([options.Rows]), builder.Floats([options.IouThreshold]), builder.Floats([options.ScoreThreshold])]);
        var ones = builder.Op("Add", [builder.Op("Mul", [builder.Op("Cast", [builder.Op("Gather", [selected, builder.Longs([0])], ("axis", 1L))], ("to", (long)ElementType.Float)), builder.Floats([0f])]), builder.Floats([1f])]);
        var flatOnes = builder.Op("Reshape", [ones, builder.Longs([-1])]);
        var mask = builder.Op("ScatterND", [builder.Op("Mul", [byClass, builder.Floats([0f])]), selected, flatOnes]);
        var kept = builder.Op("Reshape", [builder.Op("Mul", [byClass, mask]), builder.Longs([0, -1])]);
        var top = builder.Op2("TopK", [kept, builder.Longs([options.Rows])], ("axis", -1L), ("largest", 1L), ("sorted", 1L));
        var classId = builder.Op("Div", [top.Second, builder.Longs([boxes])]);
        var box = builder.Op("Mod", [top.Second, builder.Longs([boxes])]);
        var index = builder.Op("Tile", [builder.Op("Unsqueeze", [box, builder.Longs([2])]), builder.Longs([1, 1, 4])]);
        var picked = builder.Op("GatherElements", [corners, index], ("axis", 1L));
        var score = builder.Op("Unsqueeze", [top.First, builder.Longs([2])]);
        var label = builder.Op("Unsqueeze", [builder.Op("Cast", [classId], ("to", (long)ElementType.Float)), builder.Longs([2])]);
        return builder.Op("Concat", [picked, score, label], ("axis", 2L));
    }

    /// <summary>Rows of the wrapped output: every cell of every level.</summary>
    public static int Boxes(ModelManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var width = manifest.Input!.Width!.Value;
        var height = manifest.Input.Height!.Value;
        return manifest.Decoder!.Strides!.Sum(s => ((width + s - 1) / s) * ((height + s - 1) / s));
    }

    private static void PrependYoloInput(OnnxGraph graph, Builder builder, ModelInputSpec input)
    {
        // x_nano[c] = (255 · x_rgb[2 − c] − mean[c]) / std[c]: swap the planes, then one scale and one shift per plane.
        var original = input.Name!;
        var yolo = graph.UniqueName("images");
        var swapped = builder.Op("Gather", [yolo, builder.Longs([2, 1, 0])], ("axis", 1L));
        var mean = input.Mean!;
        var std = input.Std!;
        var scaled = builder.Op("Mul", [swapped, builder.Floats([.. Enumerable.Range(0, 3).Select(c => 255f / std[c])], 1, 3, 1, 1)]);
        var shifted = builder.Op("Add", [scaled, builder.Floats([.. Enumerable.Range(0, 3).Select(c => -mean[c] / std[c])], 1, 3, 1, 1)]);
        graph.ReplaceUses(original, shifted);
        var declared = graph.Inputs.Single(i => i.Name == original);
        graph.Inputs.Remove(declared);
        graph.Inputs.Add(declared with { Name = yolo });
    }

    private sealed class Builder(OnnxGraph graph)
    {
        public string Op(string opType, string[] inputs, params (string Name, object Value)[] attributes)
        {
            var output = graph.UniqueName("wrap_" + opType.ToLowerInvariant());
            var node = new OnnxNode(opType, output + "_node", inputs, [output]);
            foreach (var (name, value) in attributes)
            {
                node.Attributes[name] = value;
            }

            graph.Nodes.Add(node);
            return output;
        }

        public (string First, string Second) Op2(string opType, string[] inputs, params (string Name, object Value)[] attributes)
        {
            var first = graph.UniqueName("wrap_" + opType.ToLowerInvariant());
            var node = new OnnxNode(opType, first + "_node", inputs, [first, first + "_indices"]);
            foreach (var (name, value) in attributes)
            {
                node.Attributes[name] = value;
            }

            graph.Nodes.Add(node);
            return (first, first + "_indices");
        }

        public string Longs(long[] values)
        {
            var name = graph.UniqueName("wrap_const");
            graph.Initializers[name] = TensorData.FromInt64(values);
            return name;
        }

        public string Floats(float[] values, params long[] shape)
        {
            var name = graph.UniqueName("wrap_const");
            graph.Initializers[name] = TensorData.FromFloats(values, shape.Length == 0 ? [values.Length] : shape);
            return name;
        }

        public void Rename(string value, string name)
        {
            foreach (var node in graph.Nodes)
            {
                for (var i = 0; i < node.Outputs.Count; i++)
                {
                    if (node.Outputs[i] == value)
                    {
                        node.Outputs[i] = name;
                    }
                }
            }
        }
    }
}

/// <summary>The end-to-end wrapper's rows and the NMS it runs: the detector's IoU, and a score floor below any threshold it uses (boxes under the floor cannot change what NMS keeps above it).</summary>
internal sealed record EndToEndOptions(int Rows = 100, float IouThreshold = 0.6f, float ScoreThreshold = 0.2f);
