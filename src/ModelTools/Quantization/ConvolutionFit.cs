using EdgeVision.ModelTools.Onnx;

namespace EdgeVision.ModelTools.Quantization;

/// <summary>
/// The geometry of one ONNX Conv (NCHW, 2-D): kernel, strides, dilations and the padding it applies to a given input
/// size, with <c>auto_pad</c> SAME_UPPER / SAME_LOWER / VALID resolved as ONNX defines them.
/// </summary>
internal sealed record ConvolutionGeometry(int OutChannels, int InChannelsPerGroup, int KernelHeight, int KernelWidth, int Groups, long[] Strides, long[] Dilations, long[] Pads, string? AutoPad)
{
    public int OutPerGroup => OutChannels / Groups;

    /// <summary>Weights per output channel plus one for the bias.</summary>
    public int Features => (InChannelsPerGroup * KernelHeight * KernelWidth) + 1;

    public static ConvolutionGeometry Of(OnnxNode conv, IReadOnlyList<long> weightShape) => new(
        (int)weightShape[0],
        (int)weightShape[1],
        (int)weightShape[2],
        (int)weightShape[3],
        (int)conv.GetInt("group", 1),
        conv.GetInts("strides") ?? [1, 1],
        conv.GetInts("dilations") ?? [1, 1],
        conv.GetInts("pads") ?? [0, 0, 0, 0],
        conv.GetString("auto_pad"));

    /// <summary>Top, left, bottom, right padding for an input of <paramref name="height"/> × <paramref name="width"/>.</summary>
    public (int Top, int Left, int Bottom, int Right) PaddingFor(int height, int width)
    {
        if (AutoPad is "SAME_UPPER" or "SAME_LOWER")
        {
            var (top, bottom) = Same(height, (int)Strides[0], KernelHeight, (int)Dilations[0], AutoPad == "SAME_UPPER");
            var (left, right) = Same(width, (int)Strides[1], KernelWidth, (int)Dilations[1], AutoPad == "SAME_UPPER");
            return (top, left, bottom, right);
        }

        return AutoPad == "VALID" ? (0, 0, 0, 0) : ((int)Pads[0], (int)Pads[1], (int)Pads[2], (int)Pads[3]);
    }

    public (int Height, int Width) OutputSize(int height, int width)
    {
        var (top, left, bottom, right) = PaddingFor(height, width);
        return (
            ((height + top + bottom - ((int)Dilations[0] * (KernelHeight - 1)) - 1) / (int)Strides[0]) + 1,
            ((width + left + right - ((int)Dilations[1] * (KernelWidth - 1)) - 1) / (int)Strides[1]) + 1);
    }

    private static (int Begin, int End) Same(int size, int stride, int kernel, int dilation, bool upper)
    {
        var output = (size + stride - 1) / stride;
        var total = Math.Max(((output - 1) * stride) + ((kernel - 1) * dilation) + 1 - size, 0);
        return upper ? (total / 2, total - (total / 2)) : (total - (total / 2), total / 2);
    }
}

/// <summary>
/// Least-squares fit of one convolution's weights and bias: accumulates, per group, the Gram matrix of the input
/// patches (with a constant 1 for the bias) and their products with the wanted outputs, then solves the normal
/// equations with a ridge that pulls towards the current weights where the samples say little.
/// </summary>
internal sealed class ConvolutionFit
{
    private readonly ConvolutionGeometry _geometry;
    private readonly double[][] _gram;
    private readonly double[][] _cross;
    private readonly double[] _patch;

    public ConvolutionFit(ConvolutionGeometry geometry)
    {
        _geometry = geometry;
        var d = geometry.Features;
        _gram = Enumerable.Range(0, geometry.Groups).Select(_ => new double[d * d]).ToArray();
        _cross = Enumerable.Range(0, geometry.Groups).Select(_ => new double[d * geometry.OutPerGroup]).ToArray();
        _patch = new double[d];
    }

    /// <summary>Samples added so far.</summary>
    public long Samples { get; private set; }

    /// <summary>
    /// Adds the output positions <paramref name="positions"/> (row-major indices into the output map) of one image:
    /// the patches are read from <paramref name="input"/> (C × H × W) and paired with <paramref name="targets"/>
    /// (for each position in turn, every output channel's wanted value).
    /// </summary>
    public void Add(ReadOnlySpan<float> input, int height, int width, ReadOnlySpan<int> positions, ReadOnlySpan<float> targets)
    {
        var g = _geometry;
        var (top, left, _, _) = g.PaddingFor(height, width);
        var (_, outWidth) = g.OutputSize(height, width);
        var d = g.Features;
        var perGroup = g.OutPerGroup;
        for (var k = 0; k < positions.Length; k++)
        {
            var oy = positions[k] / outWidth;
            var ox = positions[k] % outWidth;
            for (var group = 0; group < g.Groups; group++)
            {
                var j = 0;
                for (var c = 0; c < g.InChannelsPerGroup; c++)
                {
                    var plane = ((group * g.InChannelsPerGroup) + c) * height;
                    for (var ky = 0; ky < g.KernelHeight; ky++)
                    {
                        var iy = (oy * (int)g.Strides[0]) - top + (ky * (int)g.Dilations[0]);
                        for (var kx = 0; kx < g.KernelWidth; kx++)
                        {
                            var ix = (ox * (int)g.Strides[1]) - left + (kx * (int)g.Dilations[1]);
                            _patch[j++] = iy >= 0 && iy < height && ix >= 0 && ix < width ? input[((plane + iy) * width) + ix] : 0;
                        }
                    }
                }

                _patch[j] = 1;
                var gram = _gram[group];
                var cross = _cross[group];
                var wanted = targets.Slice((k * g.OutChannels) + (group * perGroup), perGroup);
                for (var a = 0; a < d; a++)
                {
                    var pa = _patch[a];
                    if (pa == 0)
                    {
                        continue;
                    }

                    var row = a * d;
                    for (var b = a; b < d; b++)
                    {
                        gram[row + b] += pa * _patch[b];
                    }

                    var crossRow = a * perGroup;
                    for (var o = 0; o < perGroup; o++)
                    {
                        cross[crossRow + o] += pa * wanted[o];
                    }
                }
            }
        }

        Samples += positions.Length;
    }

    /// <summary>
    /// Call once, after the last <see cref="Add"/> (it completes the Gram matrices in place). Solves for the weights
    /// ([O, C/g, kh, kw] flattened) and bias minimizing the squared error over the samples plus
    /// <paramref name="ridge"/> × (mean diagonal of the Gram matrix) × the squared distance to the current ones.
    /// </summary>
    /// <remarks>
    /// With <paramref name="roundWeights"/>, each output channel's weights are then put on the int8 grid the quantizer
    /// will use (symmetric, max |w| / 127) one input feature at a time, and each rounding error is spread over the
    /// features not yet rounded and the bias, weighted by the inverse Gram matrix, so that the rounded channel still
    /// fits the samples as well as it can (the optimal-brain-quantization update). The largest weight stays where it
    /// is, so the quantizer finds the same scale and rounds nothing again.
    /// </remarks>
    public (float[] Weights, float[] Bias) Solve(ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, double ridge, bool roundWeights = false)
    {
        var g = _geometry;
        var d = g.Features;
        var perGroup = g.OutPerGroup;
        var newWeights = new float[g.OutChannels * (d - 1)];
        var newBias = new float[g.OutChannels];
        var rhs = new double[d];
        var forward = new double[d];
        var solution = new double[d];
        for (var group = 0; group < g.Groups; group++)
        {
            var gram = _gram[group];
            double trace = 0;
            for (var a = 0; a < d; a++)
            {
                trace += gram[(a * d) + a];
                for (var b = 0; b < a; b++)
                {
                    gram[(a * d) + b] = gram[(b * d) + a];
                }
            }

            var lambda = (ridge * trace / d) + 1e-12;
            for (var a = 0; a < d; a++)
            {
                gram[(a * d) + a] += lambda;
            }

            var factor = Cholesky(gram, d);
            var spread = roundWeights ? InverseFactor(factor, d) : null;
            for (var o = 0; o < perGroup; o++)
            {
                var channel = (group * perGroup) + o;
                for (var a = 0; a < d - 1; a++)
                {
                    rhs[a] = _cross[group][(a * perGroup) + o] + (lambda * weights[(channel * (d - 1)) + a]);
                }

                rhs[d - 1] = _cross[group][((d - 1) * perGroup) + o] + (lambda * bias[channel]);
                for (var a = 0; a < d; a++)
                {
                    var sum = rhs[a];
                    for (var k = 0; k < a; k++)
                    {
                        sum -= factor[(a * d) + k] * forward[k];
                    }

                    forward[a] = sum / factor[(a * d) + a];
                }

                for (var a = d - 1; a >= 0; a--)
                {
                    var sum = forward[a];
                    for (var k = a + 1; k < d; k++)
                    {
                        sum -= factor[(k * d) + a] * solution[k];
                    }

                    solution[a] = sum / factor[(a * d) + a];
                }

                if (spread is not null)
                {
                    RoundOnGrid(solution, spread, d);
                }

                for (var a = 0; a < d - 1; a++)
                {
                    newWeights[(channel * (d - 1)) + a] = (float)solution[a];
                }

                newBias[channel] = (float)solution[d - 1];
            }
        }

        return (newWeights, newBias);
    }

    /// <summary>
    /// Rounds the first d − 1 entries of <paramref name="w"/> (one channel's weights; the last is its bias) to multiples
    /// of max |w| / 127 in order, spreading each error over the later entries through the upper factor U of the
    /// inverse Gram matrix (H⁻¹ = Uᵀ·U); the largest weight is neither moved nor changed.
    /// </summary>
    private static void RoundOnGrid(double[] w, double[] upper, int d)
    {
        var largest = 0;
        for (var a = 1; a < d - 1; a++)
        {
            if (Math.Abs(w[a]) > Math.Abs(w[largest]))
            {
                largest = a;
            }
        }

        var scale = Math.Abs(w[largest]) / 127;
        if (scale == 0 || !double.IsFinite(scale))
        {
            return;
        }

        for (var a = 0; a < d - 1; a++)
        {
            if (a == largest)
            {
                continue;
            }

            var rounded = Math.Clamp(Math.Round(w[a] / scale), -127, 127) * scale;
            var error = (w[a] - rounded) / upper[(a * d) + a];
            w[a] = rounded;
            for (var k = a + 1; k < d; k++)
            {
                if (k != largest)
                {
                    w[k] -= error * upper[(a * d) + k];
                }
            }
        }
    }

    /// <summary>
    /// From the Cholesky factor of H, the upper-triangular U (row-major) with H⁻¹ = Uᵀ·U: the Cholesky factor of H⁻¹,
    /// transposed. Row a of U, divided by its diagonal, is how an error in feature a spreads over the later features
    /// once the earlier ones are fixed.
    /// </summary>
    private static double[] InverseFactor(double[] factor, int d)
    {
        // L⁻¹ by forward substitution, then H⁻¹ = L⁻ᵀ·L⁻¹.
        var inverse = new double[d * d];
        for (var col = 0; col < d; col++)
        {
            for (var row = col; row < d; row++)
            {
                var sum = row == col ? 1.0 : 0.0;
                for (var k = col; k < row; k++)
                {
                    sum -= factor[(row * d) + k] * inverse[(k * d) + col];
                }

                inverse[(row * d) + col] = sum / factor[(row * d) + row];
            }
        }

        var hInverse = new double[d * d];
        for (var a = 0; a < d; a++)
        {
            for (var b = a; b < d; b++)
            {
                double sum = 0;
                for (var k = b; k < d; k++)
                {
                    sum += inverse[(k * d) + a] * inverse[(k * d) + b];
                }

                hInverse[(a * d) + b] = sum;
                hInverse[(b * d) + a] = sum;
            }
        }

        // The upper factor is the transpose of the lower one: H⁻¹ = L·Lᵀ = Uᵀ·U with U = Lᵀ.
        var lower = Cholesky(hInverse, d);
        var upper = new double[d * d];
        for (var a = 0; a < d; a++)
        {
            for (var b = a; b < d; b++)
            {
                upper[(a * d) + b] = lower[(b * d) + a];
            }
        }

        return upper;
    }

    /// <summary>Lower-triangular L with L·Lᵀ = <paramref name="matrix"/> (symmetric positive definite, d × d).</summary>
    private static double[] Cholesky(double[] matrix, int d)
    {
        var factor = new double[d * d];
        for (var a = 0; a < d; a++)
        {
            for (var b = 0; b <= a; b++)
            {
                var sum = matrix[(a * d) + b];
                for (var k = 0; k < b; k++)
                {
                    sum -= factor[(a * d) + k] * factor[(b * d) + k];
                }

                factor[(a * d) + b] = a == b ? Math.Sqrt(Math.Max(sum, 1e-30)) : sum / factor[(b * d) + b];
            }
        }

        return factor;
    }
}
