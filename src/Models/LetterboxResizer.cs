using OpenCvSharp;

namespace EdgeVision.Models;

/// <summary>
/// Writes an image into one slot of a network input tensor: scaled to fit with its aspect ratio kept, centred on a
/// canvas of the padding grey, and normalized per channel as <c>(pixel − mean) / std</c>. The slot is float, or
/// uint8 holding those values quantized (a quantized model's input, or raw bytes with the identity quantization);
/// planar (NCHW) or interleaved (NHWC). One instance keeps its scratch images between calls, so steady-state
/// frames allocate no pixel buffers; it is therefore not safe to use from two threads at once.
/// </summary>
public sealed class LetterboxResizer : IDisposable
{
    private const int Channels = 3;

    private readonly int _networkWidth;
    private readonly int _networkHeight;
    private readonly TensorLayout _layout;

    // Interleaved layouts: where pixel (y, x)'s three values start is _rowOffsets[y] + _columnOffsets[x]. One pixel per
    // position is y·W·3 + x·3; 2×2 blocks (space to depth) put pixel (2i + dy, 2j + dx) at block (i, j), channels
    // (dy·2 + dx)·3 onward.
    private readonly int[]? _rowOffsets;
    private readonly int[]? _columnOffsets;

    // _floats[p * 256 + v] is the normalized value of byte v in plane p (_bytes[…] the same, quantized): one load
    // instead of a subtract, a divide (and a rounding) per sample, and the same result for every frame.
    private readonly float[] _floats = new float[Channels * 256];
    private readonly byte[] _bytes = new byte[Channels * 256];

    // Which byte of a BGR pixel feeds each plane: (0,1,2) for a BGR model, (2,1,0) for an RGB one.
    private readonly int[] _sourceChannelOfPlane;
    private readonly int _padValue;

    private readonly Mat _converted = new();
    private readonly Mat _scaled = new();
    private bool _disposed;

    /// <param name="mean">Per-plane mean, in the model's channel order.</param>
    /// <param name="std">Per-plane standard deviation, in the model's channel order.</param>
    /// <param name="channelOrder">"BGR" or "RGB": the order of the planes the model expects.</param>
    /// <param name="padValue">The grey level (0–255, every channel) the padding has in pixel space: 0 (black), or 114 as YOLO exports were trained with.</param>
    /// <param name="layout">Planar or interleaved channels.</param>
    /// <param name="quantization">How a uint8 slot encodes the normalized values; the identity when absent.</param>
    /// <param name="spaceToDepth">NHWC only: 2 packs each 2×2 pixel block into one position of 12 channels ([H/2, W/2, 12]).</param>
    public LetterboxResizer(
        int networkWidth,
        int networkHeight,
        ReadOnlySpan<float> mean,
        ReadOnlySpan<float> std,
        string channelOrder = "BGR",
        int padValue = 0,
        TensorLayout layout = TensorLayout.Nchw,
        QuantizationParameters? quantization = null,
        int spaceToDepth = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(padValue);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(padValue, 255);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(networkWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(networkHeight);
        if (mean.Length != Channels || std.Length != Channels)
        {
            throw new ArgumentException("mean and std need exactly three values, one per channel");
        }

        var q = quantization ?? QuantizationParameters.Identity;
        if (!(q.Scale > 0f) || !float.IsFinite(q.Scale) || q.ZeroPoint is < 0 or > 255)
        {
            throw new ArgumentException($"quantization needs a positive finite scale and a zero point from 0 to 255, found {q.Scale} and {q.ZeroPoint}", nameof(quantization));
        }

        _sourceChannelOfPlane = channelOrder switch
        {
            "BGR" => [0, 1, 2],
            "RGB" => [2, 1, 0],
            _ => throw new ArgumentException($"channel order '{channelOrder}' is neither BGR nor RGB", nameof(channelOrder)),
        };

        _networkWidth = networkWidth;
        _networkHeight = networkHeight;
        _layout = layout;
        _padValue = padValue;
        if (spaceToDepth != 1 && (layout != TensorLayout.Nhwc || spaceToDepth != 2 || networkWidth % 2 != 0 || networkHeight % 2 != 0))
        {
            throw new ArgumentException($"space to depth {spaceToDepth} needs 2, an NHWC layout and an even width and height", nameof(spaceToDepth));
        }

        if (layout == TensorLayout.Nhwc)
        {
            var block = spaceToDepth;
            var blockLength = block * block * Channels;
            _rowOffsets = Enumerable.Range(0, networkHeight).Select(y => ((y / block) * (networkWidth / block) * blockLength) + ((y % block) * block * Channels)).ToArray();
            _columnOffsets = Enumerable.Range(0, networkWidth).Select(x => ((x / block) * blockLength) + ((x % block) * Channels)).ToArray();
        }

        for (var plane = 0; plane < Channels; plane++)
        {
            if (!(std[plane] > 0f) || !float.IsFinite(mean[plane]))
            {
                throw new ArgumentException($"std[{plane}] must be positive and mean[{plane}] finite");
            }

            for (var value = 0; value < 256; value++)
            {
                var normalized = (value - mean[plane]) / std[plane];
                _floats[plane * 256 + value] = normalized;
                _bytes[plane * 256 + value] = q.Quantize(normalized);
            }
        }
    }

    /// <summary>
    /// The letterbox a model's manifest asks for (validated): its size, channel order, padding, layout and, for a
    /// uint8 input, quantization; a graph that normalizes by itself is fed raw 0–255 values.
    /// </summary>
    public static LetterboxResizer For(ModelInputSpec input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var inGraph = input.NormalizationInGraph == true;
        return new LetterboxResizer(
            input.Width!.Value,
            input.Height!.Value,
            inGraph ? [0f, 0f, 0f] : input.Mean,
            inGraph ? [1f, 1f, 1f] : input.Std,
            input.ChannelOrder ?? "BGR",
            input.PadValue ?? 0,
            input.TensorLayout,
            input.QuantizationParameters,
            input.BlockSize);
    }

    public int NetworkWidth => _networkWidth;

    public int NetworkHeight => _networkHeight;

    /// <summary>Number of elements one image occupies in the tensor: 3 × height × width.</summary>
    public int SlotLength => Channels * _networkWidth * _networkHeight;

    /// <summary>
    /// Letterboxes <paramref name="image"/> (8-bit BGR, grayscale or BGRA, any size) into the float
    /// <paramref name="slot"/>, overwriting every element of it, and returns how to map boxes back.
    /// </summary>
    public LetterboxTransform Write(Mat image, Span<float> slot) => Write(image, slot, _floats);

    /// <summary>
    /// Letterboxes <paramref name="image"/> into the uint8 <paramref name="slot"/> (the normalized values quantized),
    /// overwriting every element of it, and returns how to map boxes back.
    /// </summary>
    public LetterboxTransform Write(Mat image, Span<byte> slot) => Write(image, slot, _bytes);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _converted.Dispose();
        _scaled.Dispose();
    }

    private unsafe LetterboxTransform Write<T>(Mat image, Span<T> slot, T[] lookup)
        where T : unmanaged
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(image);
        if (slot.Length != SlotLength)
        {
            throw new ArgumentException($"slot holds {slot.Length} elements, one image needs {SlotLength}", nameof(slot));
        }

        if (image.Empty())
        {
            throw new ArgumentException("image is empty", nameof(image));
        }

        var bgr = ToBgr(image);
        var transform = LetterboxTransform.For(bgr.Width, bgr.Height, _networkWidth, _networkHeight);
        var scaled = bgr;
        if (transform.ScaledWidth != bgr.Width || transform.ScaledHeight != bgr.Height)
        {
            // Resize reuses _scaled's buffer whenever the scaled size repeats, which it does for a camera.
            Cv2.Resize(bgr, _scaled, new Size(transform.ScaledWidth, transform.ScaledHeight), 0, 0, InterpolationFlags.Linear);
            scaled = _scaled;
        }

        // Padding is a grey level in pixel space, so it is normalized like any other byte of that value.
        var pad0 = lookup[_padValue];
        var pad1 = lookup[256 + _padValue];
        var pad2 = lookup[512 + _padValue];
        var rowStride = checked((long)scaled.Step());
        var pixels = (byte*)scaled.DataPointer;
        var c0 = _sourceChannelOfPlane[0];
        var c1 = _sourceChannelOfPlane[1];
        var c2 = _sourceChannelOfPlane[2];
        fixed (T* tensor = slot)
        fixed (T* table = lookup)
        {
            var lookup0 = table;
            var lookup1 = table + 256;
            var lookup2 = table + 512;
            if (_layout == TensorLayout.Nchw)
            {
                FillPaddingPlanar(slot, transform, pad0, pad1, pad2);
                var planeLength = _networkWidth * _networkHeight;
                for (var y = 0; y < transform.ScaledHeight; y++)
                {
                    var source = pixels + y * rowStride;
                    var plane0 = tensor + (transform.PadY + y) * _networkWidth + transform.PadX;
                    var plane1 = plane0 + planeLength;
                    var plane2 = plane1 + planeLength;
                    for (var x = 0; x < transform.ScaledWidth; x++, source += Channels)
                    {
                        plane0[x] = lookup0[source[c0]];
                        plane1[x] = lookup1[source[c1]];
                        plane2[x] = lookup2[source[c2]];
                    }
                }
            }
            else
            {
                FillPaddingInterleaved(slot, transform, pad0, pad1, pad2);
                fixed (int* columns = _columnOffsets)
                {
                    var firstColumn = columns + transform.PadX;
                    for (var y = 0; y < transform.ScaledHeight; y++)
                    {
                        var source = pixels + y * rowStride;
                        var row = tensor + _rowOffsets![transform.PadY + y];
                        for (var x = 0; x < transform.ScaledWidth; x++, source += Channels)
                        {
                            var target = row + firstColumn[x];
                            target[0] = lookup0[source[c0]];
                            target[1] = lookup1[source[c1]];
                            target[2] = lookup2[source[c2]];
                        }
                    }
                }
            }
        }

        return transform;
    }

    private Mat ToBgr(Mat image)
    {
        var type = image.Type();
        if (type == MatType.CV_8UC3)
        {
            return image;
        }

        if (type == MatType.CV_8UC1)
        {
            Cv2.CvtColor(image, _converted, ColorConversionCodes.GRAY2BGR);
            return _converted;
        }

        if (type == MatType.CV_8UC4)
        {
            Cv2.CvtColor(image, _converted, ColorConversionCodes.BGRA2BGR);
            return _converted;
        }

        throw new ArgumentException($"image type {type} is not supported: expected 8-bit BGR, grayscale or BGRA", nameof(image));
    }

    private void FillPaddingPlanar<T>(Span<T> slot, in LetterboxTransform transform, T pad0, T pad1, T pad2)
        where T : unmanaged
    {
        var width = _networkWidth;
        var planeLength = width * _networkHeight;
        var imageTop = transform.PadY * width;
        var imageBottom = (transform.PadY + transform.ScaledHeight) * width;
        var rightPad = width - transform.PadX - transform.ScaledWidth;
        for (var plane = 0; plane < Channels; plane++)
        {
            var planeSpan = slot.Slice(plane * planeLength, planeLength);
            var value = plane switch { 0 => pad0, 1 => pad1, _ => pad2 };
            planeSpan[..imageTop].Fill(value);
            planeSpan[imageBottom..].Fill(value);
            if (transform.PadX == 0 && rightPad == 0)
            {
                continue;
            }

            for (var row = imageTop; row < imageBottom; row += width)
            {
                planeSpan.Slice(row, transform.PadX).Fill(value);
                planeSpan.Slice(row + transform.PadX + transform.ScaledWidth, rightPad).Fill(value);
            }
        }
    }

    private void FillPaddingInterleaved<T>(Span<T> slot, in LetterboxTransform transform, T pad0, T pad1, T pad2)
        where T : unmanaged
    {
        var imageBottom = transform.PadY + transform.ScaledHeight;
        var imageRight = transform.PadX + transform.ScaledWidth;
        for (var y = 0; y < _networkHeight; y++)
        {
            var row = _rowOffsets![y];
            if (y < transform.PadY || y >= imageBottom)
            {
                FillPixels(slot, row, 0, _networkWidth, pad0, pad1, pad2);
                continue;
            }

            FillPixels(slot, row, 0, transform.PadX, pad0, pad1, pad2);
            FillPixels(slot, row, imageRight, _networkWidth, pad0, pad1, pad2);
        }
    }

    /// <summary>Sets pixels <paramref name="from"/> to <paramref name="to"/> (exclusive) of the row starting at <paramref name="row"/> to the padding's three values.</summary>
    private void FillPixels<T>(Span<T> slot, int row, int from, int to, T pad0, T pad1, T pad2)
        where T : unmanaged
    {
        var columns = _columnOffsets!;
        for (var x = from; x < to; x++)
        {
            var pixel = slot.Slice(row + columns[x], Channels);
            pixel[0] = pad0;
            pixel[1] = pad1;
            pixel[2] = pad2;
        }
    }
}
