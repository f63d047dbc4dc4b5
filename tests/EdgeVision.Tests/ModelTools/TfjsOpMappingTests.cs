using System.Text.Json.Nodes;
using EdgeVision.ModelTools.Onnx;
using EdgeVision.ModelTools.TfJs;
using EdgeVision.Tests.Models;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace EdgeVision.Tests.ModelTools;

/// <summary>
/// One tiny TF.js model per op mapping, converted and run in ONNX Runtime, against TF's semantics computed
/// in plain C# (<see cref="TfReference"/>). Every case also runs unoptimized and must give the same numbers.
/// </summary>
public sealed class TfjsOpMappingTests
{
    private static readonly long[] ImageShape = [1, 5, 6, 3];

    [Theory]
    [InlineData("VALID", 1, 1, 3, 3)]
    [InlineData("SAME", 2, 1, 3, 3)] // rows pad 1+1, columns 0+1: the odd pixel goes at the end
    [InlineData("SAME", 2, 1, 2, 2)]
    [InlineData("SAME", 1, 2, 2, 3)]
    [InlineData("VALID", 1, 2, 2, 2)]
    public void Conv2D_PaddingStrideDilation_MatchesTf(string padding, int stride, int dilation, int kernelH, int kernelW)
    {
        var x = Random(1, ImageShape);
        var filter = Random(2, kernelH, kernelW, 3, 4);
        var model = new TfjsModelBuilder()
            .Placeholder("x", ImageShape)
            .ConstFloat("w", filter.Data, filter.Shape)
            .Node("y", "Conv2D", ["x", "w"], Attr.FloatT, ("padding", Attr.Str(padding)), ("strides", Attr.Ints(1, stride, stride, 1)),
                ("dilations", Attr.Ints(1, dilation, dilation, 1)), ("data_format", Attr.Str("NHWC")))
            .Output("y");

        var (outH, top) = Window(padding, 5, kernelH, stride, dilation);
        var (outW, left) = Window(padding, 6, kernelW, stride, dilation);
        var expected = TfReference.Conv2D(x, filter, (stride, stride), (dilation, dilation), (top, left), (outH, outW));

        AssertMatches(expected, ConvertAndRun(model, ("x", x))["y"]);
    }

    [Fact]
    public void Conv2D_ExplicitPadding_PadsEachSideAsListed()
    {
        var x = Random(1, ImageShape);
        var filter = Random(2, 3, 3, 3, 2);
        var model = new TfjsModelBuilder()
            .Placeholder("x", ImageShape)
            .ConstFloat("w", filter.Data, filter.Shape)
            .Node("y", "Conv2D", ["x", "w"], Attr.FloatT, ("padding", Attr.Str("EXPLICIT")), ("strides", Attr.Ints(1, 1, 1, 1)),
                ("explicit_paddings", Attr.Ints(0, 0, 1, 2, 2, 0, 0, 0)))
            .Output("y");

        // Rows: 5 + 1 + 2 - 2 = 6; columns: 6 + 2 + 0 - 2 = 6.
        var expected = TfReference.Conv2D(x, filter, (1, 1), (1, 1), (1, 2), (6, 6));

        AssertMatches(expected, ConvertAndRun(model, ("x", x))["y"]);
    }

    [Theory]
    [InlineData("BiasAdd", 0f)]
    [InlineData("BiasAdd,Relu", 0f)]
    [InlineData("BiasAdd,Relu6", 0f)]
    [InlineData("BiasAdd,LeakyRelu", 0.1f)]
    public void FusedConv2D_BiasAndActivation_MatchesConvThenBiasThenActivation(string fusedOps, float leakyAlpha)
    {
        var x = Scaled(Random(1, ImageShape), 3);
        var filter = Random(2, 3, 3, 3, 4);
        var bias = Random(3, 4);
        var fused = fusedOps.Split(',');
        var model = new TfjsModelBuilder()
            .Placeholder("x", ImageShape)
            .ConstFloat("w", filter.Data, filter.Shape)
            .ConstFloat("b", bias.Data, bias.Shape)
            .Node("y", "_FusedConv2D", ["x", "w", "b"], Attr.FloatT, ("padding", Attr.Str("SAME")), ("strides", Attr.Ints(1, 2, 2, 1)),
                ("dilations", Attr.Ints(1, 1, 1, 1)), ("fused_ops", Attr.Strs(fused)), ("num_args", Attr.Int(1)),
                ("leakyrelu_alpha", Attr.Float(leakyAlpha)), ("epsilon", Attr.Float(0)))
            .Output("y");

        var conv = TfReference.Conv2D(x, filter, (2, 2), (1, 1), (1, 0), (3, 3));
        var activation = fused.Length > 1 ? fused[1] : "Identity";
        var expected = Map(AddChannelBias(conv, bias), v => Activation(activation, v, leakyAlpha));

        var actual = ConvertAndRun(model, ("x", x))["y"];

        AssertMatches(expected, actual);
        Assert.True(activation is not ("Relu" or "Relu6") || actual.Data.Min() == 0, "the case should reach the activation's lower bound");
        Assert.True(activation != "Relu6" || actual.Data.Max() == 6, "the case should reach Relu6's upper bound");
    }

    [Theory]
    [InlineData("DepthwiseConv2dNative", 1, "SAME", 1, "")]
    [InlineData("DepthwiseConv2dNative", 2, "VALID", 2, "")]
    [InlineData("DepthwiseConv2dNative", 2, "SAME", 2, "")]
    [InlineData("FusedDepthwiseConv2dNative", 1, "SAME", 2, "BiasAdd,Relu6")]
    [InlineData("FusedDepthwiseConv2dNative", 2, "SAME", 1, "BiasAdd,Relu")]
    [InlineData("FusedDepthwiseConv2dNative", 2, "VALID", 1, "BiasAdd")]
    public void DepthwiseConv_ChannelMultiplier_MatchesTf(string op, int multiplier, string padding, int stride, string fusedOps)
    {
        var x = Scaled(Random(1, ImageShape), 3);
        var filter = Random(2, 3, 3, 3, multiplier);
        var bias = Random(3, 3 * multiplier);
        var builder = new TfjsModelBuilder()
            .Placeholder("x", ImageShape)
            .ConstFloat("w", filter.Data, filter.Shape)
            .ConstFloat("b", bias.Data, bias.Shape);
        var attributes = new List<(string, JsonNode)>
        {
            Attr.FloatT, ("padding", Attr.Str(padding)), ("strides", Attr.Ints(1, stride, stride, 1)), ("dilations", Attr.Ints(1, 1, 1, 1)),
        };
        var fused = fusedOps.Length == 0 ? [] : fusedOps.Split(',');
        if (fused.Length > 0)
        {
            attributes.Add(("fused_ops", Attr.Strs(fused)));
            attributes.Add(("num_args", Attr.Int(1)));
        }

        var model = builder.Node("y", op, fused.Length > 0 ? ["x", "w", "b"] : ["x", "w"], [.. attributes]).Output("y");

        var (outH, top) = Window(padding, 5, 3, stride, 1);
        var (outW, left) = Window(padding, 6, 3, stride, 1);
        var expected = TfReference.Depthwise(x, filter, (stride, stride), (top, left), (outH, outW));
        if (fused.Length > 0)
        {
            expected = Map(AddChannelBias(expected, bias), v => Activation(fused.Length > 1 ? fused[1] : "Identity", v, 0));
        }

        AssertMatches(expected, ConvertAndRun(model, ("x", x))["y"]);
    }

    [Theory]
    [InlineData("MaxPool", "VALID", 2, 2)]
    [InlineData("MaxPool", "SAME", 3, 2)]
    [InlineData("AvgPool", "VALID", 2, 2)]
    [InlineData("AvgPool", "SAME", 3, 2)]
    [InlineData("AvgPool", "SAME", 3, 1)]
    public void Pool_Padding_MatchesTfAndAveragesOnlyImagePixels(string op, string padding, int kernel, int stride)
    {
        var x = Random(1, ImageShape);
        var model = new TfjsModelBuilder()
            .Placeholder("x", ImageShape)
            .Node("y", op, ["x"], Attr.FloatT, ("padding", Attr.Str(padding)), ("ksize", Attr.Ints(1, kernel, kernel, 1)),
                ("strides", Attr.Ints(1, stride, stride, 1)), ("data_format", Attr.Str("NHWC")))
            .Output("y");

        var (outH, top) = Window(padding, 5, kernel, stride, 1);
        var (outW, left) = Window(padding, 6, kernel, stride, 1);
        var expected = TfReference.Pool(x, op == "MaxPool", (kernel, kernel), (stride, stride), (top, left), (outH, outW));

        AssertMatches(expected, ConvertAndRun(model, ("x", x))["y"]);
    }

    [Theory]
    [InlineData("Pad")]
    [InlineData("PadV2")]
    [InlineData("MirrorPad")]
    public void Pad_Mode_MatchesTf(string op)
    {
        var x = Random(1, ImageShape);
        var builder = new TfjsModelBuilder()
            .Placeholder("x", ImageShape)
            .ConstInt("paddings", [0, 0, 1, 2, 2, 1, 0, 0], 4, 2)
            .ConstFloat("value", [0.5f]);
        var model = op switch
        {
            "Pad" => builder.Node("y", op, ["x", "paddings"], Attr.FloatT),
            "PadV2" => builder.Node("y", op, ["x", "paddings", "value"], Attr.FloatT),
            _ => builder.Node("y", op, ["x", "paddings"], Attr.FloatT, ("mode", Attr.Str("REFLECT"))),
        };
        model.Output("y");

        var expected = TfReference.Pad(x, [(0, 0), (1, 2), (2, 1), (0, 0)], op == "PadV2" ? 0.5f : 0f, reflect: op == "MirrorPad");

        AssertMatches(expected, ConvertAndRun(model, ("x", x))["y"]);
    }

    public static TheoryData<string, string> BinaryCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var op in new[] { "Add", "AddV2", "Sub", "Mul", "RealDiv", "Maximum", "Minimum", "SquaredDifference" })
        {
            foreach (var operands in new[] { "constant", "constant-first", "inputs" })
            {
                data.Add(op, operands);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BinaryCases))]
    public void Binary_ConstantOrSecondInput_BroadcastsLikeTf(string op, string operands)
    {
        var x = Random(1, ImageShape);

        // Positive second operands keep RealDiv away from zero; Maximum/Minimum still pick from both sides.
        var channelConstant = Map(Random(2, 1, 1, 1, 3), v => 1 + (v / 2));
        var columnInput = Map(Random(3, 1, 1, 6, 1), v => 1 + (v / 2));
        var builder = new TfjsModelBuilder().Placeholder("x", ImageShape);
        var inputs = new List<(string, HostTensor)> { ("x", x) };
        HostTensor a = x, b;
        switch (operands)
        {
            case "constant":
                builder.ConstFloat("c", channelConstant.Data, 3).Node("y", op, ["x", "c"], Attr.FloatT);
                b = channelConstant;
                break;
            case "constant-first":
                builder.ConstFloat("c", channelConstant.Data, 3).Node("y", op, ["c", "x"], Attr.FloatT);
                (a, b) = (channelConstant, x);
                break;
            default:
                builder.Placeholder("z", columnInput.Shape).Node("y", op, ["x", "z"], Attr.FloatT);
                inputs.Add(("z", columnInput));
                b = columnInput;
                break;
        }

        builder.Output("y");
        Func<double, double, double> reference = op switch
        {
            "Add" or "AddV2" => (p, q) => p + q,
            "Sub" => (p, q) => p - q,
            "Mul" => (p, q) => p * q,
            "RealDiv" => (p, q) => (float)p / (float)q,
            "Maximum" => Math.Max,
            "Minimum" => Math.Min,
            _ => (p, q) => (p - q) * (p - q),
        };

        AssertMatches(TfReference.Broadcast(a, b, reference), ConvertAndRun(builder, [.. inputs])["y"]);
    }

    [Fact]
    public void BiasAdd_ChannelBias_AddsToLastAxis()
    {
        var x = Random(1, ImageShape);
        var bias = Random(2, 3);
        var model = new TfjsModelBuilder()
            .Placeholder("x", ImageShape)
            .ConstFloat("b", bias.Data, 3)
            .Node("y", "BiasAdd", ["x", "b"], Attr.FloatT, ("data_format", Attr.Str("NHWC")))
            .Output("y");

        AssertMatches(AddChannelBias(x, bias), ConvertAndRun(model, ("x", x))["y"]);
    }

    [Theory]
    [InlineData("Relu", float.NaN)]
    [InlineData("Relu6", float.NaN)]
    [InlineData("LeakyRelu", 0.1f)]
    [InlineData("LeakyRelu", float.NaN)] // TF's default alpha, 0.2
    [InlineData("Elu", float.NaN)]
    [InlineData("Sigmoid", float.NaN)]
    [InlineData("Tanh", float.NaN)]
    public void Activation_Op_MatchesTf(string op, float alpha)
    {
        var x = Scaled(Random(1, ImageShape), 4);
        var builder = new TfjsModelBuilder().Placeholder("x", ImageShape);
        var model = float.IsNaN(alpha)
            ? builder.Node("y", op, ["x"], Attr.FloatT)
            : builder.Node("y", op, ["x"], Attr.FloatT, ("alpha", Attr.Float(alpha)));
        model.Output("y");

        var expected = Map(x, v => Activation(op, v, float.IsNaN(alpha) ? 0.2f : alpha));

        AssertMatches(expected, ConvertAndRun(model, ("x", x))["y"]);
    }

    [Fact]
    public void Prelu_ChannelSlopes_ScaleNegativesPerChannel()
    {
        var x = Random(1, ImageShape);
        float[] slopes = [0.1f, -0.5f, 2f];
        var model = new TfjsModelBuilder()
            .Placeholder("x", ImageShape)
            .ConstFloat("alpha", slopes, 3)
            .Node("y", "Prelu", ["x", "alpha"], Attr.FloatT)
            .Output("y");

        var expected = TfReference.Broadcast(x, new HostTensor(slopes, [1, 1, 1, 3]), (v, s) => v >= 0 ? v : s * v);

        AssertMatches(expected, ConvertAndRun(model, ("x", x))["y"]);
    }

    [Theory]
    [InlineData("Exp")]
    [InlineData("Neg")]
    [InlineData("Sqrt")]
    [InlineData("Rsqrt")]
    [InlineData("Square")]
    [InlineData("Abs")]
    public void UnaryMath_Op_MatchesTf(string op)
    {
        var x = Random(1, ImageShape);
        if (op is "Sqrt" or "Rsqrt")
        {
            x = Map(x, v => Math.Abs(v) + 0.1);
        }

        var model = new TfjsModelBuilder().Placeholder("x", ImageShape).Node("y", op, ["x"], Attr.FloatT).Output("y");
        Func<double, double> reference = op switch
        {
            "Exp" => Math.Exp,
            "Neg" => v => -v,
            "Sqrt" => Math.Sqrt,
            "Rsqrt" => v => 1 / Math.Sqrt(v),
            "Square" => v => v * v,
            _ => Math.Abs,
        };

        AssertMatches(Map(x, reference), ConvertAndRun(model, ("x", x))["y"]);
    }

    [Fact]
    public void Softmax_LastAxis_NormalizesEachPixelsChannels()
    {
        var x = Scaled(Random(1, ImageShape), 3);
        var model = new TfjsModelBuilder().Placeholder("x", ImageShape).Node("y", "Softmax", ["x"], Attr.FloatT).Output("y");

        var expected = new float[x.Data.Length];
        for (var pixel = 0; pixel < x.Data.Length; pixel += 3)
        {
            var exp = x.Data.Skip(pixel).Take(3).Select(v => Math.Exp(v)).ToArray();
            for (var c = 0; c < 3; c++)
            {
                expected[pixel + c] = (float)(exp[c] / exp.Sum());
            }
        }

        AssertMatches(new HostTensor(expected, ImageShape), ConvertAndRun(model, ("x", x))["y"]);
    }

    [Theory]
    [InlineData("ResizeBilinear", false, true, 7, 9)]
    [InlineData("ResizeBilinear", true, false, 7, 9)]
    [InlineData("ResizeBilinear", false, false, 7, 9)]
    [InlineData("ResizeBilinear", false, true, 3, 4)]
    [InlineData("ResizeBilinear", true, false, 3, 4)]
    [InlineData("ResizeBilinear", false, false, 3, 4)]
    [InlineData("ResizeNearestNeighbor", false, true, 7, 9)]
    [InlineData("ResizeNearestNeighbor", true, false, 7, 9)] // column 4 of 9 maps to source 2.5: TF rounds it up
    [InlineData("ResizeNearestNeighbor", false, false, 7, 9)]
    [InlineData("ResizeNearestNeighbor", false, true, 3, 4)]
    [InlineData("ResizeNearestNeighbor", true, false, 3, 4)]
    [InlineData("ResizeNearestNeighbor", false, false, 3, 4)]
    public void Resize_CoordinateMode_MatchesTf(string op, bool alignCorners, bool halfPixelCenters, int height, int width)
    {
        var x = Random(1, ImageShape);
        var model = new TfjsModelBuilder()
            .Placeholder("x", ImageShape)
            .ConstInt("size", [height, width], 2)
            .Node("y", op, ["x", "size"], Attr.FloatT, ("align_corners", Attr.Bool(alignCorners)), ("half_pixel_centers", Attr.Bool(halfPixelCenters)))
            .Output("y");

        var expected = op == "ResizeBilinear"
            ? TfReference.ResizeBilinear(x, height, width, alignCorners, halfPixelCenters)
            : TfReference.ResizeNearest(x, height, width, alignCorners, halfPixelCenters);

        AssertMatches(expected, ConvertAndRun(model, ("x", x))["y"]);
    }

    [Fact]
    public void Reshape_ConstantTarget_KeepsElementOrder()
    {
        var x = Random(1, ImageShape);
        var model = new TfjsModelBuilder()
            .Placeholder("x", ImageShape)
            .ConstInt("shape", [5, -1], 2)
            .Node("y", "Reshape", ["x", "shape"], Attr.FloatT, ("Tshape", Attr.Type("DT_INT32")))
            .Output("y");

        AssertMatches(new HostTensor(x.Data, [5, 18]), ConvertAndRun(model, ("x", x))["y"]);
    }

    [Fact]
    public void Reshape_BatchOneTargetGivenBatchOfTwo_KeepsItemsApart()
    {
        // Exported with batch 1, the target's leading 1 is the batch: two images must stay two rows, not merge.
        var x = Random(1, 2, 5, 6, 3);
        var model = new TfjsModelBuilder()
            .Placeholder("x", ImageShape)
            .ConstInt("shape", [1, -1, 3], 3)
            .Node("y", "Reshape", ["x", "shape"], Attr.FloatT, ("Tshape", Attr.Type("DT_INT32")))
            .Output("y");

        AssertMatches(new HostTensor(x.Data, [2, 30, 3]), ConvertAndRun(model, ("x", x))["y"]);
    }

    [Theory]
    [InlineData(0, 3, 1, 2)]
    [InlineData(0, 2, 1, 3)]
    [InlineData(3, 1, 2, 0)]
    public void Transpose_Permutation_MovesAxes(int p0, int p1, int p2, int p3)
    {
        var x = Random(1, ImageShape);
        var model = new TfjsModelBuilder()
            .Placeholder("x", ImageShape)
            .ConstInt("perm", [p0, p1, p2, p3], 4)
            .Node("y", "Transpose", ["x", "perm"], Attr.FloatT)
            .Output("y");

        AssertMatches(TfReference.Transpose(x, [p0, p1, p2, p3]), ConvertAndRun(model, ("x", x))["y"]);
    }

    [Fact]
    public void ConcatV2_TwoInputsOnLastAxis_StacksChannels()
    {
        var x = Random(1, ImageShape);
        var z = Random(2, 1, 5, 6, 2);
        var model = new TfjsModelBuilder()
            .Placeholder("x", ImageShape)
            .Placeholder("z", z.Shape)
            .ConstInt("axis", [-1])
            .Node("y", "ConcatV2", ["x", "z", "axis"], Attr.FloatT, ("N", Attr.Int(2)))
            .Output("y");

        AssertMatches(TfReference.Concat(x, z, 3), ConvertAndRun(model, ("x", x), ("z", z))["y"]);
    }

    [Fact]
    public void ConcatV2_ConstantOnRowAxis_AppendsRows()
    {
        var x = Random(1, ImageShape);
        var rows = Random(2, 1, 2, 6, 3);
        var model = new TfjsModelBuilder()
            .Placeholder("x", ImageShape)
            .ConstFloat("rows", rows.Data, rows.Shape)
            .ConstInt("axis", [1])
            .Node("y", "ConcatV2", ["x", "rows", "axis"], Attr.FloatT, ("N", Attr.Int(2)))
            .Output("y");

        AssertMatches(TfReference.Concat(x, rows, 1), ConvertAndRun(model, ("x", x))["y"]);
    }

    [Fact]
    public void SplitV_ChannelSizes_GivesEachPart()
    {
        var x = Random(1, ImageShape);
        var model = new TfjsModelBuilder()
            .Placeholder("x", ImageShape)
            .ConstInt("sizes", [1, 2], 2)
            .ConstInt("axis", [3])
            .Node("split", "SplitV", ["x", "sizes", "axis"], Attr.FloatT, ("num_split", Attr.Int(2)))
            .Output("split")
            .Output("split:1");

        var outputs = ConvertAndRun(model, ("x", x));

        AssertMatches(TfReference.Channels(x, 0, 1), outputs["split"]);
        AssertMatches(TfReference.Channels(x, 1, 2), outputs["split:1"]);
    }

    [Fact]
    public void Split_EqualParts_GivesEachHalf()
    {
        var x = Random(1, ImageShape);
        var model = new TfjsModelBuilder()
            .Placeholder("x", ImageShape)
            .ConstInt("axis", [2])
            .Node("split", "Split", ["axis", "x"], Attr.FloatT, ("num_split", Attr.Int(2)))
            .Output("split")
            .Output("split:1");

        var outputs = ConvertAndRun(model, ("x", x));

        AssertMatches(TfReference.Slice(x, 2, 0, 3), outputs["split"]);
        AssertMatches(TfReference.Slice(x, 2, 3, 3), outputs["split:1"]);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(-2)]
    public void Squeeze_UnitAxis_DropsIt(int axis)
    {
        var x = Random(1, 1, 5, 1, 3);
        var model = new TfjsModelBuilder()
            .Placeholder("x", x.Shape)
            .Node("y", "Squeeze", ["x"], Attr.FloatT, ("squeeze_dims", Attr.Ints(axis)))
            .Output("y");

        AssertMatches(new HostTensor(x.Data, [1, 5, 3]), ConvertAndRun(model, ("x", x))["y"]);
    }

    [Theory]
    [InlineData(1, new long[] { 1, 1, 5, 6, 3 })]
    [InlineData(-1, new long[] { 1, 5, 6, 3, 1 })]
    public void ExpandDims_Axis_InsertsUnitAxis(int axis, long[] shape)
    {
        var x = Random(1, ImageShape);
        var model = new TfjsModelBuilder()
            .Placeholder("x", ImageShape)
            .ConstInt("axis", [axis])
            .Node("y", "ExpandDims", ["x", "axis"], Attr.FloatT, ("Tdim", Attr.Type("DT_INT32")))
            .Output("y");

        AssertMatches(new HostTensor(x.Data, shape), ConvertAndRun(model, ("x", x))["y"]);
    }

    [Theory]
    [InlineData("Mean", true)]
    [InlineData("Mean", false)]
    [InlineData("Sum", true)]
    [InlineData("Sum", false)]
    [InlineData("Max", true)]
    [InlineData("Max", false)]
    [InlineData("Min", true)]
    [InlineData("Min", false)]
    public void Reduction_SpatialAxes_MatchesTf(string op, bool keepDims)
    {
        var x = Random(1, ImageShape);
        var model = new TfjsModelBuilder()
            .Placeholder("x", ImageShape)
            .ConstInt("axes", [1, 2], 2)
            .Node("y", op, ["x", "axes"], Attr.FloatT, ("keep_dims", Attr.Bool(keepDims)), ("Tidx", Attr.Type("DT_INT32")))
            .Output("y");

        AssertMatches(TfReference.ReduceSpatial(x, op, keepDims), ConvertAndRun(model, ("x", x))["y"]);
    }

    [Fact]
    public void Cast_FloatToInt32_TruncatesTowardZero()
    {
        var x = Scaled(Random(1, ImageShape), 4);
        var model = new TfjsModelBuilder()
            .Placeholder("x", ImageShape)
            .Node("y", "Cast", ["x"], ("SrcT", Attr.Type("DT_FLOAT")), ("DstT", Attr.Type("DT_INT32")), ("Truncate", Attr.Bool(false)))
            .Output("y");

        AssertMatches(Map(x, Math.Truncate), ConvertAndRun(model, ("x", x))["y"]);
    }

    [Fact]
    public void Identity_Input_PassesThroughUnchanged()
    {
        var x = Random(1, ImageShape);
        var model = new TfjsModelBuilder()
            .Placeholder("x", ImageShape)
            .Node("y", "Identity", ["x"], Attr.FloatT)
            .Output("y");

        AssertMatches(x, ConvertAndRun(model, ("x", x))["y"]);
    }

    [Theory]
    [InlineData("FloorDiv", 3)]
    [InlineData("FloorDiv", -3)]
    [InlineData("FloorMod", 3)]
    [InlineData("FloorMod", -3)]
    public void FloorDivision_Integers_RoundTowardsMinusInfinity(string op, int divisor)
    {
        // Whole numbers from −8 to 7, cast to int32 in the graph: negatives are where floor and truncation differ.
        var x = new HostTensor([.. Enumerable.Range(-8, 16).Select(v => (float)v)], [1, 16]);
        var model = new TfjsModelBuilder()
            .Placeholder("x", [1, 16])
            .Node("xi", "Cast", ["x"], ("SrcT", Attr.Type("DT_FLOAT")), ("DstT", Attr.Type("DT_INT32")), ("Truncate", Attr.Bool(false)))
            .ConstInt("d", [divisor])
            .Node("y", op, ["xi", "d"], ("T", Attr.Type("DT_INT32")))
            .Output("y");

        var expected = Map(x, v => op == "FloorDiv" ? Math.Floor(v / divisor) : v - (Math.Floor(v / divisor) * divisor));

        AssertMatches(expected, ConvertAndRun(model, ("x", x))["y"]);
    }

    [Theory]
    [InlineData("FloorDiv", 1.5f)]
    [InlineData("FloorDiv", -2f)]
    [InlineData("FloorMod", 1.5f)]
    [InlineData("FloorMod", -2f)]
    public void FloorDivision_Floats_RoundTowardsMinusInfinity(string op, float divisor)
    {
        var x = Scaled(Random(1, ImageShape), 5);
        var model = new TfjsModelBuilder()
            .Placeholder("x", ImageShape)
            .ConstFloat("d", [divisor])
            .Node("y", op, ["x", "d"], Attr.FloatT)
            .Output("y");

        var expected = Map(x, v => op == "FloorDiv" ? Math.Floor(v / divisor) : v - (Math.Floor(v / divisor) * divisor));

        AssertMatches(expected, ConvertAndRun(model, ("x", x))["y"]);
    }

    [Theory]
    [InlineData("Equal")]
    [InlineData("NotEqual")]
    [InlineData("Greater")]
    [InlineData("GreaterEqual")]
    [InlineData("Less")]
    [InlineData("LessEqual")]
    public void Comparison_AgainstConstant_GivesTfsBooleans(string op)
    {
        // Values −2…2 in steps of 0.5 against 0.5: some equal, some either side.
        var x = new HostTensor([.. Enumerable.Range(-4, 9).Select(v => v * 0.5f)], [1, 9]);
        var model = new TfjsModelBuilder()
            .Placeholder("x", [1, 9])
            .ConstFloat("c", [0.5f])
            .Node("b", op, ["x", "c"], Attr.FloatT)
            .Node("y", "Cast", ["b"], ("SrcT", Attr.Type("DT_BOOL")), ("DstT", Attr.Type("DT_FLOAT")), ("Truncate", Attr.Bool(false)))
            .Output("y");

        Func<double, bool> test = op switch
        {
            "Equal" => v => v == 0.5,
            "NotEqual" => v => v != 0.5,
            "Greater" => v => v > 0.5,
            "GreaterEqual" => v => v >= 0.5,
            "Less" => v => v < 0.5,
            _ => v => v <= 0.5,
        };

        AssertMatches(Map(x, v => test(v) ? 1 : 0), ConvertAndRun(model, ("x", x))["y"]);
    }

    [Fact]
    public void TopKV2_WithTies_LargestFirstAndLowerIndexFirstAmongEquals()
    {
        float[] values = [0.1f, 0.9f, 0.5f, 0.9f, 0.3f, 0.5f, 0.7f, 0.2f, 0.1f, 0f, 1f, 0.2f, 0.2f, 0.8f, 0.2f, 0.6f];
        var x = new HostTensor(values, [2, 8]);
        var model = new TfjsModelBuilder()
            .Placeholder("x", [2, 8])
            .ConstInt("k", [4])
            .Node("t", "TopKV2", ["x", "k"], Attr.FloatT, ("sorted", Attr.Bool(true)))
            .Output("t")
            .Output("t:1");

        var outputs = ConvertAndRun(model, ("x", x));

        // Row 0: 0.9 at 1 and 3, then 0.7 at 6, then 0.5 at 2 (before 5). Row 1: 1 at 2, 0.8 at 5, 0.6 at 7, 0.2 at 3.
        AssertMatches(new HostTensor([0.9f, 0.9f, 0.7f, 0.5f, 1f, 0.8f, 0.6f, 0.2f], [2, 4]), outputs["t"]);
        AssertMatches(new HostTensor([1, 3, 6, 2, 2, 5, 7, 3], [2, 4]), outputs["t:1"]);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void GatherV2_ConstantIndices_PicksRowsOrColumns(int axis)
    {
        var x = Random(1, 4, 3);
        int[] indices = [2, 0, 2];
        var model = new TfjsModelBuilder()
            .Placeholder("x", [4, 3])
            .ConstInt("i", indices, 3)
            .ConstInt("axis", [axis])
            .Node("y", "GatherV2", ["x", "i", "axis"], ("Tparams", Attr.Type("DT_FLOAT")), ("Tindices", Attr.Type("DT_INT32")), ("batch_dims", Attr.Int(0)))
            .Output("y");

        var expected = axis == 0
            ? new HostTensor([.. indices.SelectMany(r => x.Data.Skip(r * 3).Take(3))], [3, 3])
            : new HostTensor([.. Enumerable.Range(0, 4).SelectMany(r => indices.Select(c => x.Data[(r * 3) + c]))], [4, 3]);

        AssertMatches(expected, ConvertAndRun(model, ("x", x))["y"]);
    }

    [Theory]
    [InlineData(new[] { 0, 1, 0, 0 }, new[] { 0, 4, 6, 2 }, new[] { 1, 1, 2, 1 }, 1, 1, 0)] // x[:, 1:4, 0:6:2, 0:2]
    [InlineData(new[] { 0, 0, 0, -1 }, new[] { 0, 0, 0, 0 }, new[] { 1, 1, 1, 1 }, 7, 7, 8)] // x[..., -1]
    [InlineData(new[] { 0, 2, 1, 1 }, new[] { 0, 3, 0, 2 }, new[] { 1, 1, 1, 1 }, 1, 5, 2)] // x[:, 2, 1:, 1:2]
    [InlineData(new[] { 0, 4, 0, 0 }, new[] { 0, 0, 0, 0 }, new[] { 1, -1, 1, 1 }, 13, 13, 0)] // x[:, 4:0:-1]
    [InlineData(new[] { 0, 0, 5, 0 }, new[] { 0, 0, 0, 0 }, new[] { 1, 1, -2, 1 }, 11, 15, 0)] // x[:, :, 5::-2]
    public void StridedSlice_MasksAndSteps_MatchPythonSlicing(int[] begin, int[] end, int[] strides, int beginMask, int endMask, int shrinkMask)
    {
        var x = Random(1, ImageShape);
        var model = new TfjsModelBuilder()
            .Placeholder("x", ImageShape)
            .ConstInt("b", begin, 4)
            .ConstInt("e", end, 4)
            .ConstInt("s", strides, 4)
            .Node("y", "StridedSlice", ["x", "b", "e", "s"], Attr.FloatT, ("Index", Attr.Type("DT_INT32")), ("begin_mask", Attr.Int(beginMask)),
                ("end_mask", Attr.Int(endMask)), ("shrink_axis_mask", Attr.Int(shrinkMask)), ("ellipsis_mask", Attr.Int(0)), ("new_axis_mask", Attr.Int(0)))
            .Output("y");

        AssertMatches(TfReference.StridedSlice(x, begin, end, strides, beginMask, endMask, shrinkMask), ConvertAndRun(model, ("x", x))["y"]);
    }

    [Fact]
    public void HardSwishAndSqueezeExcite_BetweenConvolutions_LeaveNoTransposeInside()
    {
        // MobileNetV3's blocks: hard-swish reads its input three times (x·relu6(x+3)/6) and squeeze-excite twice
        // (a spatial mean scales the same tensor); every Transpose between the convolutions must still cancel.
        var x = Random(1, ImageShape);
        var w1 = Random(2, 1, 1, 3, 4);
        var w2 = Random(3, 1, 1, 4, 4);
        var w3 = Random(4, 3, 3, 4, 2);
        var model = new TfjsModelBuilder()
            .Placeholder("x", ImageShape)
            .ConstFloat("w1", w1.Data, w1.Shape)
            .ConstFloat("w2", w2.Data, w2.Shape)
            .ConstFloat("w3", w3.Data, w3.Shape)
            .ConstFloat("sixth", [1f / 6])
            .ConstFloat("three", [3f])
            .ConstInt("axes", [1, 2], 2)
            .Node("c1", "Conv2D", ["x", "w1"], Attr.FloatT, ("padding", Attr.Str("SAME")), ("strides", Attr.Ints(1, 1, 1, 1)))
            .Node("hs/mul", "Mul", ["sixth", "c1"], Attr.FloatT)
            .Node("hs/add", "Add", ["c1", "three"], Attr.FloatT)
            .Node("hs/relu6", "Relu6", ["hs/add"], Attr.FloatT)
            .Node("hs", "Mul", ["hs/mul", "hs/relu6"], Attr.FloatT)
            .Node("se/mean", "Mean", ["hs", "axes"], Attr.FloatT, ("keep_dims", Attr.Bool(true)), ("Tidx", Attr.Type("DT_INT32")))
            .Node("se/conv", "Conv2D", ["se/mean", "w2"], Attr.FloatT, ("padding", Attr.Str("VALID")), ("strides", Attr.Ints(1, 1, 1, 1)))
            .Node("se/gate", "Sigmoid", ["se/conv"], Attr.FloatT)
            .Node("se", "Mul", ["hs", "se/gate"], Attr.FloatT)
            .Node("y", "Conv2D", ["se", "w3"], Attr.FloatT, ("padding", Attr.Str("SAME")), ("strides", Attr.Ints(1, 1, 1, 1)))
            .Output("y");
        using var directory = new TemporaryDirectory();
        var graph = TfjsToOnnxConverter.Convert(TfjsGraphModel.Load(model.Write(directory.Path)));

        // One Transpose in front (NHWC input) and one behind (NHWC output); none between the convolutions.
        Assert.Equal(2, graph.Nodes.Count(n => n.OpType == "Transpose"));
        var hs = Map(TfReference.Conv2D(x, w1, (1, 1), (1, 1), (0, 0), (5, 6)), v => v * Math.Clamp(v + 3, 0, 6) / 6);
        var gate = Map(TfReference.Conv2D(TfReference.ReduceSpatial(hs, "Mean", true), w2, (1, 1), (1, 1), (0, 0), (1, 1)), v => 1 / (1 + Math.Exp(-v)));
        var expected = TfReference.Conv2D(TfReference.Broadcast(hs, gate, (a, b) => a * b), w3, (1, 1), (1, 1), (1, 1), (5, 6));
        AssertMatches(expected, ConvertAndRun(model, ("x", x))["y"]);
    }

    /// <summary>
    /// Converts the model optimized and unoptimized, runs both in ONNX Runtime, requires identical outputs, and
    /// returns the optimized ones by output name.
    /// </summary>
    private static Dictionary<string, HostTensor> ConvertAndRun(TfjsModelBuilder builder, params (string Name, HostTensor Value)[] inputs)
    {
        using var directory = new TemporaryDirectory();
        var model = TfjsGraphModel.Load(builder.Write(directory.Path));
        var optimized = Run(OnnxModelFile.ToBytes(TfjsToOnnxConverter.Convert(model)), inputs);
        var plain = Run(OnnxModelFile.ToBytes(TfjsToOnnxConverter.Convert(model, new ConversionOptions { Optimize = false })), inputs);

        Assert.Equal(plain.Keys.Order(StringComparer.Ordinal), optimized.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, value) in plain)
        {
            Assert.Equal(value.Shape, optimized[name].Shape);
            Assert.Equal(value.Data, optimized[name].Data);
        }

        return optimized;
    }

    private static Dictionary<string, HostTensor> Run(byte[] model, (string Name, HostTensor Value)[] inputs)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(model, options);
        var values = inputs.Select(i => OrtValue.CreateTensorValueFromMemory(i.Value.Data, i.Value.Shape)).ToArray();
        try
        {
            using var runOptions = new RunOptions();
            var names = session.OutputNames.ToArray();
            using var outputs = session.Run(runOptions, inputs.Select(i => i.Name).ToArray(), values, names);
            var result = new Dictionary<string, HostTensor>(StringComparer.Ordinal);
            for (var i = 0; i < names.Length; i++)
            {
                var info = outputs[i].GetTensorTypeAndShape();
                var data = info.ElementDataType switch
                {
                    TensorElementType.Float => outputs[i].GetTensorDataAsSpan<float>().ToArray(),
                    TensorElementType.Int32 => outputs[i].GetTensorDataAsSpan<int>().ToArray().Select(v => (float)v).ToArray(),
                    TensorElementType.Int64 => outputs[i].GetTensorDataAsSpan<long>().ToArray().Select(v => (float)v).ToArray(),
                    var other => throw new InvalidOperationException($"output {names[i]} has element type {other}"),
                };
                result[names[i]] = new HostTensor(data, info.Shape);
            }

            return result;
        }
        finally
        {
            foreach (var value in values)
            {
                value.Dispose();
            }
        }
    }

    /// <summary>Same shape, and every element within 1e-5 (relative to its size above 1).</summary>
    private static void AssertMatches(HostTensor expected, HostTensor actual)
    {
        Assert.Equal(expected.Shape, actual.Shape);
        for (var i = 0; i < expected.Data.Length; i++)
        {
            var tolerance = 1e-5 * Math.Max(1, Math.Abs(expected.Data[i]));
            Assert.True(
                Math.Abs(expected.Data[i] - actual.Data[i]) <= tolerance,
                $"element {i}: expected {expected.Data[i]:R}, got {actual.Data[i]:R}");
        }
    }

    private static (int Output, int Before) Window(string padding, int input, int kernel, int stride, int dilation) => padding == "SAME"
        ? TfReference.Same(input, kernel, stride, dilation)
        : (TfReference.Valid(input, kernel, stride, dilation), 0);

    /// <summary>Reproducible values in [-1, 1).</summary>
    private static HostTensor Random(int seed, params long[] shape)
    {
        var random = new Random(seed);
        var data = new float[shape.Aggregate(1L, (a, d) => a * d)];
        for (var i = 0; i < data.Length; i++)
        {
            data[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return new HostTensor(data, shape);
    }

    private static HostTensor Scaled(HostTensor x, float factor) => Map(x, v => v * factor);

    private static HostTensor Map(HostTensor x, Func<double, double> f) => new(x.Data.Select(v => (float)f(v)).ToArray(), x.Shape);

    private static HostTensor AddChannelBias(HostTensor x, HostTensor bias) =>
        TfReference.Broadcast(x, new HostTensor(bias.Data, [1, 1, 1, bias.Data.Length]), (v, b) => v + b);

    private static double Activation(string name, double v, float leakyAlpha) => name switch
    {
        "Identity" => v,
        "Relu" => Math.Max(v, 0),
        "Relu6" => Math.Clamp(v, 0, 6),
        "LeakyRelu" => v >= 0 ? v : leakyAlpha * v,
        "Elu" => v >= 0 ? v : Math.Exp(v) - 1,
        "Sigmoid" => 1 / (1 + Math.Exp(-v)),
        "Tanh" => Math.Tanh(v),
        _ => throw new ArgumentException($"no reference for activation {name}", nameof(name)),
    };
}
