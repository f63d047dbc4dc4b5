using EdgeVision.Models;
using EdgeVision.ModelTools.Onnx;

namespace EdgeVision.ModelTools.Quantization;

/// <summary>
/// Moves a QDQ model's input quantization out of the graph: the float NCHW input and the QuantizeLinear that
/// reads it become a uint8 NHWC input and a Transpose to NCHW. The preprocessing then writes the quantized
/// bytes itself (from a per-channel lookup table, at no extra cost per pixel), a quarter of the float tensor's
/// memory, and ONNX Runtime's NHWC pass cancels the Transpose against the one it puts before the first
/// integer convolution. The values the first convolution sees are the same bytes as before.
/// </summary>
public static class QuantizedInput
{
    /// <summary>Rewrites the graph in place and returns the quantization the preprocessing must apply.</summary>
    /// <param name="spaceToDepth">
    /// 2 to fold the first convolution's stride into the input: each 2×2 block of pixels becomes one position with
    /// 12 channels, and the stride-2 convolution on 3 channels becomes an equal stride-1 convolution on 12 (see
    /// <see cref="FoldStrideIntoInput"/>); 1 leaves the input one pixel per position.
    /// </param>
    public static QuantizationParameters ToUInt8Nhwc(OnnxGraph graph, int spaceToDepth = 1)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (spaceToDepth is not (1 or 2))
        {
            throw new ToolInputException($"space to depth takes blocks of 1 or 2 pixels, not {spaceToDepth}");
        }

        if (graph.Inputs.Count != 1)
        {
            throw new ToolInputException($"a quantized input needs a model with one input, this one has {graph.Inputs.Count}");
        }

        var input = graph.Inputs[0];
        if (input.Type != ElementType.Float || input.Dims is not { Count: 4 } dims)
        {
            throw new ToolInputException($"a quantized input needs a float NCHW input, '{input.Name}' is {input.Type} with {input.Dims?.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "no"} dimensions");
        }

        var readers = graph.Consumers().GetValueOrDefault(input.Name) ?? [];
        if (readers.Count != 1 || readers[0].OpType != "QuantizeLinear" || graph.IsGraphOutput(input.Name))
        {
            throw new ToolInputException(
                $"input '{input.Name}' must be read by exactly one QuantizeLinear to take quantized bytes; it is read by {(readers.Count == 0 ? "nothing" : string.Join(", ", readers.Select(r => r.OpType)))}");
        }

        var quantize = readers[0];
        if (!graph.Initializers.TryGetValue(quantize.Inputs[1], out var scale) || scale.Count != 1 || !scale.IsFloat
            || quantize.Inputs.Count < 3 || !graph.Initializers.TryGetValue(quantize.Inputs[2], out var zeroPoint)
            || zeroPoint.Type != ElementType.UInt8 || zeroPoint.Count != 1)
        {
            throw new ToolInputException($"the QuantizeLinear on input '{input.Name}' must be per-tensor with a constant scale and a uint8 zero point");
        }

        var parameters = new QuantizationParameters(scale.Floats![0], zeroPoint.Bytes![0]);

        // The input keeps its name, so a manifest's input.name stays right; the Transpose writes what the
        // QuantizeLinear wrote, so its readers are untouched.
        var transpose = new OnnxNode("Transpose", graph.UniqueName($"{input.Name}/to_nchw"), [input.Name], [quantize.Outputs[0]]);
        transpose.Attributes["perm"] = new long[] { 0, 3, 1, 2 };
        graph.Nodes[graph.Nodes.IndexOf(quantize)] = transpose;
        graph.Inputs[0] = input with { Type = ElementType.UInt8, Dims = [dims[0], dims[2], dims[3], dims[1]] };
        graph.Metadata["input_quantization"] = FormattableString.Invariant($"uint8 NHWC, scale {parameters.Scale:R}, zero point {parameters.ZeroPoint}");
        if (spaceToDepth == 2)
        {
            FoldStrideIntoInput(graph, transpose);
            graph.Metadata["input_quantization"] += ", 2×2 pixel blocks (space to depth)";
        }

        graph.RemoveDeadNodes();
        graph.SortTopologically();
        return parameters;
    }

    /// <summary>
    /// The first convolution reads the input at stride 2. With the input packed as 2×2 pixel blocks
    /// ([N, H/2, W/2, 4C], channel (dy·2 + dx)·C + c for pixel (2i + dy, 2j + dx)), the same convolution is a stride-1
    /// convolution over blocks: input row 2i + ky − padTop lies in block i + ⌊(ky − padTop)/2⌋ at row parity
    /// (ky − padTop) mod 2, so each original tap lands on exactly one (block offset, channel) of the new kernel and
    /// the positions no tap reaches get weight 0. Padding is the zero point in both forms, so the outputs are equal.
    /// ONNX Runtime's integer convolution is slow on 3 input channels; on 12 it is not.
    /// </summary>
    private static void FoldStrideIntoInput(OnnxGraph graph, OnnxNode transpose)
    {
        var consumers = graph.Consumers();
        var producers = graph.Producers();
        const string Needed = "space to depth needs the input to feed one quantized stride-2 convolution (group 1, no dilation, explicit pads, int8 weights)";
        var readers = consumers.GetValueOrDefault(transpose.Outputs[0]) ?? [];
        var dequantize = readers is [{ OpType: "DequantizeLinear" } only] ? only : null;
        var convReaders = dequantize is null ? [] : consumers.GetValueOrDefault(dequantize.Outputs[0]) ?? [];
        if (dequantize is null || convReaders is not [{ OpType: "Conv" } conv])
        {
            var found = dequantize is null ? readers : convReaders;
            throw new ToolInputException($"{Needed}; the input is read by {(found.Count == 0 ? "nothing" : string.Join(", ", found.Select(r => $"{r.OpType} '{r.Name}'")))}");
        }

        var strides = conv.GetInts("strides") ?? [1, 1];
        var autoPad = conv.GetString("auto_pad") ?? "NOTSET";
        if (conv.GetInt("group", 1) != 1 || autoPad is not ("NOTSET" or "SAME_UPPER" or "SAME_LOWER" or "VALID")
            || strides is not [2, 2] || (conv.GetInts("dilations") is { } d && d.Any(v => v != 1))
            || !producers.TryGetValue(conv.Inputs[1], out var weightDequantize) || weightDequantize.OpType != "DequantizeLinear"
            || !graph.Initializers.TryGetValue(weightDequantize.Inputs[0], out var weight) || weight.Type != ElementType.Int8 || weight.Rank != 4)
        {
            throw new ToolInputException($"{Needed}; '{conv.Name}' has strides [{string.Join(",", strides)}], group {conv.GetInt("group", 1)}, auto_pad {autoPad}");
        }

        var input = graph.Inputs[0];
        var dims = input.Dims!;
        if (dims[1] is not long height || dims[2] is not long width || height % 2 != 0 || width % 2 != 0)
        {
            throw new ToolInputException($"space to depth needs an even, fixed input height and width; '{input.Name}' is [{string.Join(",", dims)}]");
        }

        var (outChannels, inChannels, kernelH, kernelW) = ((int)weight.Shape[0], (int)weight.Shape[1], (int)weight.Shape[2], (int)weight.Shape[3]);
        var pads = autoPad == "NOTSET" ? conv.GetInts("pads") ?? new long[4] : ExplicitPads(autoPad, height, width, kernelH, kernelW);
        var (padTop, padLeft) = ((int)pads[0], (int)pads[1]);

        // Block offsets the taps reach: from ⌊−pad/2⌋ to ⌊(k − 1 − pad)/2⌋.
        var firstRow = FloorDiv(-padTop, 2);
        var firstColumn = FloorDiv(-padLeft, 2);
        var blocksH = FloorDiv(kernelH - 1 - padTop, 2) - firstRow + 1;
        var blocksW = FloorDiv(kernelW - 1 - padLeft, 2) - firstColumn + 1;
        var blockChannels = 4 * inChannels;
        var source = weight.Bytes!;
        var folded = new byte[outChannels * blockChannels * blocksH * blocksW];
        for (var o = 0; o < outChannels; o++)
        {
            for (var c = 0; c < inChannels; c++)
            {
                for (var ky = 0; ky < kernelH; ky++)
                {
                    for (var kx = 0; kx < kernelW; kx++)
                    {
                        var by = FloorDiv(ky - padTop, 2) - firstRow;
                        var bx = FloorDiv(kx - padLeft, 2) - firstColumn;
                        var channel = ((Mod2(ky - padTop) * 2) + Mod2(kx - padLeft)) * inChannels + c;
                        folded[(((o * blockChannels) + channel) * blocksH + by) * blocksW + bx] =
                            source[(((o * inChannels) + c) * kernelH + ky) * kernelW + kx];
                    }
                }
            }
        }

        graph.Initializers[weightDequantize.Inputs[0]] = TensorData.FromBytes(folded, ElementType.Int8, outChannels, blockChannels, blocksH, blocksW);
        conv.Attributes["strides"] = new long[] { 1, 1 };
        conv.Attributes["kernel_shape"] = new long[] { blocksH, blocksW };

        // The output keeps its size: the top and left pads are the block offsets moved, the bottom and right ones
        // whatever then gives the original output height and width.
        var outHeight = ((height + pads[0] + pads[2] - kernelH) / 2) + 1;
        var outWidth = ((width + pads[1] + pads[3] - kernelW) / 2) + 1;
        long[] foldedPads = [-firstRow, -firstColumn, outHeight - 1 + blocksH - (height / 2) + firstRow, outWidth - 1 + blocksW - (width / 2) + firstColumn];
        if (foldedPads.Any(p => p < 0))
        {
            throw new ToolInputException($"space to depth cannot keep the first convolution's output size with pads [{string.Join(",", pads)}]");
        }

        conv.Attributes["pads"] = foldedPads;
        conv.Attributes.Remove("auto_pad");
        graph.Inputs[0] = input with { Dims = [dims[0], height / 2, width / 2, (long)blockChannels] };
    }

    /// <summary>The pads ONNX's auto_pad means for a stride-2 convolution on this input: SAME puts the odd one at the end (UPPER) or the start (LOWER).</summary>
    private static long[] ExplicitPads(string autoPad, long height, long width, int kernelH, int kernelW)
    {
        if (autoPad == "VALID")
        {
            return new long[4];
        }

        var totalH = Math.Max((((height + 1) / 2) - 1) * 2 + kernelH - height, 0);
        var totalW = Math.Max((((width + 1) / 2) - 1) * 2 + kernelW - width, 0);
        var (smallH, smallW) = (totalH / 2, totalW / 2);
        return autoPad == "SAME_UPPER"
            ? [smallH, smallW, totalH - smallH, totalW - smallW]
            : [totalH - smallH, totalW - smallW, smallH, smallW];
    }

    private static int FloorDiv(int value, int divisor) => (int)Math.Floor(value / (double)divisor);

    private static int Mod2(int value) => ((value % 2) + 2) % 2;
}
