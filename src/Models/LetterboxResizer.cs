using OpenCvSharp;

namespace EdgeVision.Models;

/// <summary>
/// Writes an image into one NCHW slot of a network input tensor: scaled to fit with its aspect ratio kept,
/// centred on a black canvas, and normalized per channel as <c>(pixel − mean) / std</c>.
/// One instance keeps its scratch images between calls, so steady-state frames allocate no pixel buffers;
/// it is therefore not safe to use from two threads at once.
/// </summary>
public sealed class LetterboxResizer : IDisposable
{
    private const int Channels = 3;

    private readonly int _networkWidth;
    private readonly int _networkHeight;

    // _lookup[p * 256 + v] is the normalized value of byte v in plane p: one load instead of a subtract
    // and a divide per sample, and the same rounding for every frame.
    private readonly float[] _lookup = new float[Channels * 256];

    // Which byte of a BGR pixel feeds each plane: (0,1,2) for a BGR model, (2,1,0) for an RGB one.
    private readonly int[] _sourceChannelOfPlane;
    private readonly float[] _paddingValueOfPlane = new float[Channels];

    private readonly Mat _converted = new();
    private readonly Mat _scaled = new();
    private bool _disposed;

    /// <param name="mean">Per-plane mean, in the model's channel order.</param>
    /// <param name="std">Per-plane standard deviation, in the model's channel order.</param>
    /// <param name="channelOrder">"BGR" or "RGB": the order of the planes the model expects.</param>
    /// <param name="padValue">The grey level (0–255, every channel) the padding has in pixel space: 0 (black), or 114 as YOLO exports were trained with.</param>
    public LetterboxResizer(int networkWidth, int networkHeight, ReadOnlySpan<float> mean, ReadOnlySpan<float> std, string channelOrder = "BGR", int padValue = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(padValue);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(padValue, 255);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(networkWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(networkHeight);
        if (mean.Length != Channels || std.Length != Channels)
        {
            throw new ArgumentException("mean and std need exactly three values, one per channel");
        }

        _sourceChannelOfPlane = channelOrder switch
        {
            "BGR" => [0, 1, 2],
            "RGB" => [2, 1, 0],
            _ => throw new ArgumentException($"channel order '{channelOrder}' is neither BGR nor RGB", nameof(channelOrder)),
        };

        _networkWidth = networkWidth;
        _networkHeight = networkHeight;
        for (var plane = 0; plane < Channels; plane++)
        {
            if (!(std[plane] > 0f) || !float.IsFinite(mean[plane]))
            {
                throw new ArgumentException($"std[{plane}] must be positive and mean[{plane}] finite");
            }

            for (var value = 0; value < 256; value++)
            {
                _lookup[plane * 256 + value] = (value - mean[plane]) / std[plane];
            }

            // Padding is a grey level in pixel space, so it is normalized like any other byte of that value.
            _paddingValueOfPlane[plane] = _lookup[plane * 256 + padValue];
        }
    }

    public int NetworkWidth => _networkWidth;

    public int NetworkHeight => _networkHeight;

    /// <summary>Number of floats one image occupies in the tensor: 3 × height × width.</summary>
    public int SlotLength => Channels * _networkWidth * _networkHeight;

    /// <summary>
    /// Letterboxes <paramref name="image"/> (8-bit BGR, grayscale or BGRA, any size) into
    /// <paramref name="slot"/>, overwriting every element of it, and returns how to map boxes back.
    /// </summary>
    public unsafe LetterboxTransform Write(Mat image, Span<float> slot)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(image);
        if (slot.Length != SlotLength)
        {
            throw new ArgumentException($"slot holds {slot.Length} floats, one image needs {SlotLength}", nameof(slot));
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

        FillPadding(slot, transform);

        var planeLength = _networkWidth * _networkHeight;
        var rowStride = checked((long)scaled.Step());
        var pixels = (byte*)scaled.DataPointer;
        var c0 = _sourceChannelOfPlane[0];
        var c1 = _sourceChannelOfPlane[1];
        var c2 = _sourceChannelOfPlane[2];
        fixed (float* tensor = slot)
        fixed (float* lookup = _lookup)
        {
            var lookup0 = lookup;
            var lookup1 = lookup + 256;
            var lookup2 = lookup + 512;
            for (var y = 0; y < transform.ScaledHeight; y++)
            {
                var source = pixels + y * rowStride;
                var offset = (transform.PadY + y) * _networkWidth + transform.PadX;
                var plane0 = tensor + offset;
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

        return transform;
    }

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

    private void FillPadding(Span<float> slot, in LetterboxTransform transform)
    {
        var width = _networkWidth;
        var planeLength = width * _networkHeight;
        var imageTop = transform.PadY * width;
        var imageBottom = (transform.PadY + transform.ScaledHeight) * width;
        var rightPad = width - transform.PadX - transform.ScaledWidth;
        for (var plane = 0; plane < Channels; plane++)
        {
            var planeSpan = slot.Slice(plane * planeLength, planeLength);
            var value = _paddingValueOfPlane[plane];
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
}
