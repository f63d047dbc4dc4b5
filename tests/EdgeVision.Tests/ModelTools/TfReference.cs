namespace EdgeVision.Tests.ModelTools;

/// <summary>A dense row-major tensor for the reference computations.</summary>
internal sealed record HostTensor(float[] Data, long[] Shape)
{
    public int Dim(int axis) => (int)Shape[axis];

    /// <summary>Element [n, y, x, c] of a 4-D tensor.</summary>
    public float At(int n, int y, int x, int c) => Data[(((((n * Dim(1)) + y) * Dim(2)) + x) * Dim(3)) + c];
}

/// <summary>
/// TensorFlow's semantics written as naive loops over NHWC data, so that every converted op is checked against
/// an independent statement of what TF computes, accumulated in double.
/// </summary>
internal static class TfReference
{
    /// <summary>TF SAME padding: output ⌈in/stride⌉; of an odd total padding the extra pixel goes at the end.</summary>
    public static (int Output, int Before) Same(int input, int kernel, int stride, int dilation)
    {
        var output = (input + stride - 1) / stride;
        var effective = ((kernel - 1) * dilation) + 1;
        var total = Math.Max(((output - 1) * stride) + effective - input, 0);
        return (output, total / 2);
    }

    public static int Valid(int input, int kernel, int stride, int dilation) => ((input - (((kernel - 1) * dilation) + 1)) / stride) + 1;

    /// <summary>Conv2D with filter [kh, kw, in, out]; padTop/padLeft say where the window starts.</summary>
    public static HostTensor Conv2D(HostTensor x, HostTensor filter, (int H, int W) stride, (int H, int W) dilation, (int Top, int Left) pad, (int H, int W) output)
    {
        var (n, h, w, c) = (x.Dim(0), x.Dim(1), x.Dim(2), x.Dim(3));
        var (kh, kw, outC) = (filter.Dim(0), filter.Dim(1), filter.Dim(3));
        var y = new float[n * output.H * output.W * outC];
        var o = 0;
        for (var b = 0; b < n; b++)
        {
            for (var oy = 0; oy < output.H; oy++)
            {
                for (var ox = 0; ox < output.W; ox++)
                {
                    for (var oc = 0; oc < outC; oc++)
                    {
                        double sum = 0;
                        for (var ky = 0; ky < kh; ky++)
                        {
                            for (var kx = 0; kx < kw; kx++)
                            {
                                var iy = (oy * stride.H) + (ky * dilation.H) - pad.Top;
                                var ix = (ox * stride.W) + (kx * dilation.W) - pad.Left;
                                if (iy < 0 || iy >= h || ix < 0 || ix >= w)
                                {
                                    continue;
                                }

                                for (var ic = 0; ic < c; ic++)
                                {
                                    sum += (double)x.At(b, iy, ix, ic) * filter.At(ky, kx, ic, oc);
                                }
                            }
                        }

                        y[o++] = (float)sum;
                    }
                }
            }
        }

        return new HostTensor(y, [n, output.H, output.W, outC]);
    }

    /// <summary>DepthwiseConv2dNative with filter [kh, kw, C, M]: output channel c·M + m reads input channel c only.</summary>
    public static HostTensor Depthwise(HostTensor x, HostTensor filter, (int H, int W) stride, (int Top, int Left) pad, (int H, int W) output)
    {
        var (n, h, w, c) = (x.Dim(0), x.Dim(1), x.Dim(2), x.Dim(3));
        var (kh, kw, m) = (filter.Dim(0), filter.Dim(1), filter.Dim(3));
        var y = new float[n * output.H * output.W * c * m];
        var o = 0;
        for (var b = 0; b < n; b++)
        {
            for (var oy = 0; oy < output.H; oy++)
            {
                for (var ox = 0; ox < output.W; ox++)
                {
                    for (var ic = 0; ic < c; ic++)
                    {
                        for (var q = 0; q < m; q++)
                        {
                            double sum = 0;
                            for (var ky = 0; ky < kh; ky++)
                            {
                                for (var kx = 0; kx < kw; kx++)
                                {
                                    var iy = (oy * stride.H) + ky - pad.Top;
                                    var ix = (ox * stride.W) + kx - pad.Left;
                                    if (iy >= 0 && iy < h && ix >= 0 && ix < w)
                                    {
                                        sum += (double)x.At(b, iy, ix, ic) * filter.At(ky, kx, ic, q);
                                    }
                                }
                            }

                            y[o++] = (float)sum;
                        }
                    }
                }
            }
        }

        return new HostTensor(y, [n, output.H, output.W, c * m]);
    }

    /// <summary>MaxPool / AvgPool; the average is over the window's pixels inside the image, as TF's SAME does.</summary>
    public static HostTensor Pool(HostTensor x, bool max, (int H, int W) kernel, (int H, int W) stride, (int Top, int Left) pad, (int H, int W) output)
    {
        var (n, h, w, c) = (x.Dim(0), x.Dim(1), x.Dim(2), x.Dim(3));
        var y = new float[n * output.H * output.W * c];
        var o = 0;
        for (var b = 0; b < n; b++)
        {
            for (var oy = 0; oy < output.H; oy++)
            {
                for (var ox = 0; ox < output.W; ox++)
                {
                    for (var ch = 0; ch < c; ch++)
                    {
                        var best = double.NegativeInfinity;
                        double sum = 0;
                        var count = 0;
                        for (var ky = 0; ky < kernel.H; ky++)
                        {
                            for (var kx = 0; kx < kernel.W; kx++)
                            {
                                var iy = (oy * stride.H) + ky - pad.Top;
                                var ix = (ox * stride.W) + kx - pad.Left;
                                if (iy >= 0 && iy < h && ix >= 0 && ix < w)
                                {
                                    var v = x.At(b, iy, ix, ch);
                                    best = Math.Max(best, v);
                                    sum += v;
                                    count++;
                                }
                            }
                        }

                        y[o++] = (float)(max ? best : sum / count);
                    }
                }
            }
        }

        return new HostTensor(y, [n, output.H, output.W, c]);
    }

    /// <summary>Pad of an NHWC tensor by (before, after) per axis; REFLECT mirrors without repeating the edge.</summary>
    public static HostTensor Pad(HostTensor x, (int Before, int After)[] paddings, float value, bool reflect)
    {
        long[] shape = [.. x.Shape.Select((d, i) => d + paddings[i].Before + paddings[i].After)];
        var y = new float[shape.Aggregate(1L, (a, d) => a * d)];
        var o = 0;
        for (var b = 0; b < shape[0]; b++)
        {
            for (var i = 0; i < shape[1]; i++)
            {
                for (var j = 0; j < shape[2]; j++)
                {
                    for (var ch = 0; ch < shape[3]; ch++)
                    {
                        int[] source = [b - paddings[0].Before, i - paddings[1].Before, j - paddings[2].Before, ch - paddings[3].Before];
                        var inside = true;
                        for (var axis = 0; axis < 4; axis++)
                        {
                            if (reflect)
                            {
                                source[axis] = Reflect(source[axis], x.Dim(axis));
                            }

                            inside &= source[axis] >= 0 && source[axis] < x.Dim(axis);
                        }

                        y[o++] = inside ? x.At(source[0], source[1], source[2], source[3]) : value;
                    }
                }
            }
        }

        return new HostTensor(y, shape);
    }

    /// <summary>ResizeBilinear as TF's resize_bilinear_op computes it, in each of its three coordinate modes.</summary>
    public static HostTensor ResizeBilinear(HostTensor x, int outH, int outW, bool alignCorners, bool halfPixel)
    {
        var (n, h, w, c) = (x.Dim(0), x.Dim(1), x.Dim(2), x.Dim(3));
        var ys = Enumerable.Range(0, outH).Select(i => Interpolation(i, h, outH, alignCorners, halfPixel)).ToArray();
        var xs = Enumerable.Range(0, outW).Select(i => Interpolation(i, w, outW, alignCorners, halfPixel)).ToArray();
        var y = new float[n * outH * outW * c];
        var o = 0;
        for (var b = 0; b < n; b++)
        {
            foreach (var (top, bottom, dy) in ys)
            {
                foreach (var (left, right, dx) in xs)
                {
                    for (var ch = 0; ch < c; ch++)
                    {
                        double tl = x.At(b, top, left, ch), tr = x.At(b, top, right, ch);
                        double bl = x.At(b, bottom, left, ch), br = x.At(b, bottom, right, ch);
                        var upper = tl + ((tr - tl) * dx);
                        var lower = bl + ((br - bl) * dx);
                        y[o++] = (float)(upper + ((lower - upper) * dy));
                    }
                }
            }
        }

        return new HostTensor(y, [n, outH, outW, c]);
    }

    /// <summary>ResizeNearestNeighbor as TF's resize_nearest_neighbor_op picks its source pixel.</summary>
    public static HostTensor ResizeNearest(HostTensor x, int outH, int outW, bool alignCorners, bool halfPixel)
    {
        var (n, h, w, c) = (x.Dim(0), x.Dim(1), x.Dim(2), x.Dim(3));
        var y = new float[n * outH * outW * c];
        var o = 0;
        for (var b = 0; b < n; b++)
        {
            for (var i = 0; i < outH; i++)
            {
                var sy = NearestSource(i, h, outH, alignCorners, halfPixel);
                for (var j = 0; j < outW; j++)
                {
                    var sx = NearestSource(j, w, outW, alignCorners, halfPixel);
                    for (var ch = 0; ch < c; ch++)
                    {
                        y[o++] = x.At(b, sy, sx, ch);
                    }
                }
            }
        }

        return new HostTensor(y, [n, outH, outW, c]);
    }

    /// <summary>Reduces axes 1 and 2 of an NHWC tensor (the reductions the tests use).</summary>
    public static HostTensor ReduceSpatial(HostTensor x, string op, bool keepDims)
    {
        var (n, h, w, c) = (x.Dim(0), x.Dim(1), x.Dim(2), x.Dim(3));
        var y = new float[n * c];
        for (var b = 0; b < n; b++)
        {
            for (var ch = 0; ch < c; ch++)
            {
                var values = new List<double>();
                for (var i = 0; i < h; i++)
                {
                    for (var j = 0; j < w; j++)
                    {
                        values.Add(x.At(b, i, j, ch));
                    }
                }

                y[(b * c) + ch] = (float)(op switch
                {
                    "Mean" => values.Average(),
                    "Sum" => values.Sum(),
                    "Max" => values.Max(),
                    _ => values.Min(),
                });
            }
        }

        return new HostTensor(y, keepDims ? [n, 1, 1, c] : [n, c]);
    }

    /// <summary>Element-wise binary op with NumPy broadcasting of two rank-4 tensors.</summary>
    public static HostTensor Broadcast(HostTensor a, HostTensor b, Func<double, double, double> op)
    {
        long[] shape = [.. a.Shape.Zip(b.Shape, Math.Max)];
        var y = new float[shape.Aggregate(1L, (p, d) => p * d)];
        var o = 0;
        for (var i0 = 0; i0 < shape[0]; i0++)
        {
            for (var i1 = 0; i1 < shape[1]; i1++)
            {
                for (var i2 = 0; i2 < shape[2]; i2++)
                {
                    for (var i3 = 0; i3 < shape[3]; i3++)
                    {
                        var va = a.At(i0 % a.Dim(0), i1 % a.Dim(1), i2 % a.Dim(2), i3 % a.Dim(3));
                        var vb = b.At(i0 % b.Dim(0), i1 % b.Dim(1), i2 % b.Dim(2), i3 % b.Dim(3));
                        y[o++] = (float)op(va, vb);
                    }
                }
            }
        }

        return new HostTensor(y, shape);
    }

    /// <summary>Permutes the axes of a rank-4 tensor: output axis i is input axis perm[i].</summary>
    public static HostTensor Transpose(HostTensor x, int[] perm)
    {
        long[] shape = [.. perm.Select(p => x.Shape[p])];
        var y = new float[x.Data.Length];
        var o = 0;
        var source = new int[4];
        for (var i0 = 0; i0 < shape[0]; i0++)
        {
            for (var i1 = 0; i1 < shape[1]; i1++)
            {
                for (var i2 = 0; i2 < shape[2]; i2++)
                {
                    for (var i3 = 0; i3 < shape[3]; i3++)
                    {
                        int[] index = [i0, i1, i2, i3];
                        for (var k = 0; k < 4; k++)
                        {
                            source[perm[k]] = index[k];
                        }

                        y[o++] = x.At(source[0], source[1], source[2], source[3]);
                    }
                }
            }
        }

        return new HostTensor(y, shape);
    }

    /// <summary>Takes channels [from, from + count) of an NHWC tensor.</summary>
    public static HostTensor Channels(HostTensor x, int from, int count) => Slice(x, 3, from, count);

    /// <summary>Takes [from, from + count) along one axis of a rank-4 tensor.</summary>
    public static HostTensor Slice(HostTensor x, int axis, int from, int count)
    {
        var shape = (long[])x.Shape.Clone();
        shape[axis] = count;
        var y = new List<float>();
        for (var i0 = 0; i0 < shape[0]; i0++)
        {
            for (var i1 = 0; i1 < shape[1]; i1++)
            {
                for (var i2 = 0; i2 < shape[2]; i2++)
                {
                    for (var i3 = 0; i3 < shape[3]; i3++)
                    {
                        int[] index = [i0, i1, i2, i3];
                        index[axis] += from;
                        y.Add(x.At(index[0], index[1], index[2], index[3]));
                    }
                }
            }
        }

        return new HostTensor([.. y], shape);
    }

    /// <summary>ConcatV2 of two rank-4 tensors along <paramref name="axis"/>.</summary>
    public static HostTensor Concat(HostTensor a, HostTensor b, int axis)
    {
        var shape = (long[])a.Shape.Clone();
        shape[axis] += b.Shape[axis];
        var y = new List<float>();
        for (var i0 = 0; i0 < shape[0]; i0++)
        {
            for (var i1 = 0; i1 < shape[1]; i1++)
            {
                for (var i2 = 0; i2 < shape[2]; i2++)
                {
                    for (var i3 = 0; i3 < shape[3]; i3++)
                    {
                        int[] index = [i0, i1, i2, i3];
                        var fromA = index[axis] < a.Dim(axis);
                        if (!fromA)
                        {
                            index[axis] -= a.Dim(axis);
                        }

                        y.Add((fromA ? a : b).At(index[0], index[1], index[2], index[3]));
                    }
                }
            }
        }

        return new HostTensor([.. y], shape);
    }

    private static int Reflect(int index, int size)
    {
        if (index < 0)
        {
            return -index;
        }

        return index >= size ? (2 * (size - 1)) - index : index;
    }

    private static float Scale(int input, int output, bool alignCorners) =>
        alignCorners && output > 1 ? (input - 1) / (float)(output - 1) : input / (float)output;

    private static (int Lower, int Upper, double Lerp) Interpolation(int index, int input, int output, bool alignCorners, bool halfPixel)
    {
        var scale = Scale(input, output, alignCorners);
        var source = halfPixel ? ((index + 0.5f) * scale) - 0.5f : index * scale;
        var floor = MathF.Floor(source);
        return (Math.Max((int)floor, 0), Math.Min((int)MathF.Ceiling(source), input - 1), source - floor);
    }

    private static int NearestSource(int index, int input, int output, bool alignCorners, bool halfPixel)
    {
        var scale = Scale(input, output, alignCorners);
        var source = halfPixel ? (index + 0.5f) * scale : index * scale;

        // roundf rounds halves away from zero; the sources here are never negative.
        var picked = alignCorners ? (int)MathF.Round(source, MidpointRounding.AwayFromZero) : (int)MathF.Floor(source);
        return Math.Clamp(picked, 0, input - 1);
    }

    /// <summary>
    /// TF's StridedSlice as Python slicing, axis by axis: a masked begin/end takes the whole extent in the step's
    /// direction, negative indices count from the end, a shrunk axis keeps the one element at begin and is dropped.
    /// </summary>
    public static HostTensor StridedSlice(HostTensor x, int[] begin, int[] end, int[] strides, int beginMask, int endMask, int shrinkMask)
    {
        var rank = x.Shape.Length;
        var picks = new List<int>[rank];
        var kept = new List<long>();
        for (var axis = 0; axis < rank; axis++)
        {
            var size = x.Dim(axis);
            var step = strides[axis];
            int Clamp(int i, int lo, int hi) => Math.Min(Math.Max(i < 0 ? i + size : i, lo), hi);
            picks[axis] = [];
            if ((shrinkMask >> axis & 1) == 1)
            {
                picks[axis].Add(begin[axis] < 0 ? begin[axis] + size : begin[axis]);
                continue;
            }

            int from, to;
            if (step > 0)
            {
                from = (beginMask >> axis & 1) == 1 ? 0 : Clamp(begin[axis], 0, size);
                to = (endMask >> axis & 1) == 1 ? size : Clamp(end[axis], 0, size);
                for (var i = from; i < to; i += step)
                {
                    picks[axis].Add(i);
                }
            }
            else
            {
                from = (beginMask >> axis & 1) == 1 ? size - 1 : Clamp(begin[axis], -1, size - 1);
                to = (endMask >> axis & 1) == 1 ? -1 : Clamp(end[axis], -1, size - 1);
                for (var i = from; i > to; i += step)
                {
                    picks[axis].Add(i);
                }
            }

            kept.Add(picks[axis].Count);
        }

        var data = new List<float>();
        var strideOf = new int[rank];
        strideOf[rank - 1] = 1;
        for (var axis = rank - 2; axis >= 0; axis--)
        {
            strideOf[axis] = strideOf[axis + 1] * x.Dim(axis + 1);
        }

        void Walk(int axis, int offset)
        {
            if (axis == rank)
            {
                data.Add(x.Data[offset]);
                return;
            }

            foreach (var i in picks[axis])
            {
                Walk(axis + 1, offset + (i * strideOf[axis]));
            }
        }

        Walk(0, 0);
        return new HostTensor([.. data], [.. kept]);
    }
}
