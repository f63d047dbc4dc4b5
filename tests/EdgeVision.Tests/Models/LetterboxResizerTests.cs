using EdgeVision.Models;
using OpenCvSharp;

namespace EdgeVision.Tests.Models;

public sealed class LetterboxResizerTests : IDisposable
{
    private const int Size = 416;
    private const int Plane = Size * Size;
    private static readonly float[] Mean = [103.53f, 116.28f, 123.675f];
    private static readonly float[] Std = [57.375f, 57.12f, 58.395f];

    private readonly LetterboxResizer _resizer = new(Size, Size, Mean, Std);
    private readonly float[] _slot = new float[3 * Plane];

    public void Dispose() => _resizer.Dispose();

    [Fact]
    public void Write_TwoColourImage_PlacesPlanesAndPaddingAsSpecified()
    {
        // 832×624: left half pure blue, right half pure red; scale 0.5 → 416×312 at padY 52.
        using var image = new Mat(624, 832, MatType.CV_8UC3, new Scalar(255, 0, 0));
        image[new Rect(416, 0, 416, 624)].SetTo(new Scalar(0, 0, 255));

        var transform = _resizer.Write(image, _slot);

        Assert.Equal((0.5f, 0, 52), (transform.Scale, transform.PadX, transform.PadY));
        Assert.Equal(Normalized(0, 0), At(0, 51, 100));
        Assert.Equal(Normalized(2, 0), At(2, 364, 100)); // first padding row below the image
        Assert.Equal(Normalized(0, 255), At(0, 52, 100)); // first image row, blue half
        Assert.Equal(Normalized(1, 0), At(1, 200, 100));
        Assert.Equal(Normalized(2, 0), At(2, 200, 100));
        Assert.Equal(Normalized(0, 0), At(0, 363, 300)); // last image row, red half
        Assert.Equal(Normalized(2, 255), At(2, 363, 300));
    }

    [Fact]
    public void Write_VtestFrame_EqualsResizeThenBorderThenNormalize()
    {
        using var frame = VideoFrames.Vtest(20);
        using var resized = new Mat();
        Cv2.Resize(frame, resized, new Size(416, 312), 0, 0, InterpolationFlags.Linear);
        using var expected = new Mat();
        Cv2.CopyMakeBorder(resized, expected, 52, 52, 0, 0, BorderTypes.Constant, Scalar.All(0));

        _resizer.Write(frame, _slot);

        var mismatches = 0;
        for (var y = 0; y < Size; y++)
        {
            for (var x = 0; x < Size; x++)
            {
                var pixel = expected.At<Vec3b>(y, x);
                for (var c = 0; c < 3; c++)
                {
                    mismatches += At(c, y, x) == Normalized(c, pixel[c]) ? 0 : 1;
                }
            }
        }

        Assert.Equal(0, mismatches);
    }

    [Fact]
    public void Write_NonContiguousRegion_MatchesItsCopy()
    {
        using var frame = VideoFrames.Vtest(0);
        using var region = frame[new Rect(101, 37, 500, 300)];
        using var copy = region.Clone();
        var fromCopy = new float[_slot.Length];
        _resizer.Write(copy, fromCopy);

        _resizer.Write(region, _slot);

        Assert.False(region.IsContinuous());
        Assert.Equal(fromCopy, _slot);
    }

    [Fact]
    public void Write_Grayscale_RepeatsTheGreyInEveryPlane()
    {
        using var image = new Mat(416, 416, MatType.CV_8UC1, Scalar.All(128));

        _resizer.Write(image, _slot);

        Assert.Equal((Normalized(0, 128), Normalized(1, 128), Normalized(2, 128)), (At(0, 7, 9), At(1, 7, 9), At(2, 7, 9)));
    }

    [Fact]
    public void Write_Bgra_IgnoresAlpha()
    {
        using var image = new Mat(208, 416, MatType.CV_8UC4, new Scalar(10, 20, 30, 0));

        var transform = _resizer.Write(image, _slot);

        Assert.Equal(104, transform.PadY);
        Assert.Equal((Normalized(0, 10), Normalized(1, 20), Normalized(2, 30)), (At(0, 200, 200), At(1, 200, 200), At(2, 200, 200)));
    }

    [Fact]
    public void Write_RgbModel_PutsRedInTheFirstPlane()
    {
        using var resizer = new LetterboxResizer(Size, Size, [0f, 0f, 0f], [1f, 1f, 1f], "RGB");
        using var image = new Mat(416, 416, MatType.CV_8UC3, new Scalar(10, 20, 30));

        resizer.Write(image, _slot);

        Assert.Equal((30f, 20f, 10f), (At(0, 0, 0), At(1, 0, 0), At(2, 0, 0)));
    }

    [Fact]
    public void Write_YoloStylePadValueAndScale_GreyPaddingDividedBy255InRgbOrder()
    {
        // A 416×320 input (not square), RGB, x/255, grey 114 padding: what a YOLO export expects.
        using var resizer = new LetterboxResizer(416, 320, [0f, 0f, 0f], [255f, 255f, 255f], "RGB", padValue: 114);
        var slot = new float[3 * 416 * 320];
        using var image = new Mat(240, 640, MatType.CV_8UC3, new Scalar(51, 102, 204));

        var transform = resizer.Write(image, slot);

        // 640×240 → 416×156 at padY 82.
        Assert.Equal((0, 82, 156), (transform.PadX, transform.PadY, transform.ScaledHeight));
        float At3(int plane, int y, int x) => slot[(plane * 416 * 320) + (y * 416) + x];
        Assert.Equal((114 / 255f, 114 / 255f, 114 / 255f), (At3(0, 0, 0), At3(1, 81, 200), At3(2, 319, 415)));
        Assert.Equal((204 / 255f, 102 / 255f, 51 / 255f), (At3(0, 82, 10), At3(1, 160, 200), At3(2, 237, 415)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LetterboxResizer(416, 320, [0f, 0f, 0f], [1f, 1f, 1f], "RGB", padValue: 256));
    }

    [Fact]
    public void Write_SlotAfterALargerImage_OverwritesEveryElement()
    {
        using var bright = new Mat(416, 416, MatType.CV_8UC3, Scalar.All(255));
        using var narrow = new Mat(416, 100, MatType.CV_8UC3, Scalar.All(255));
        _resizer.Write(bright, _slot);

        var transform = _resizer.Write(narrow, _slot);

        Assert.Equal(158, transform.PadX);
        Assert.Equal(Normalized(0, 0), At(0, 200, 157));
        Assert.Equal(Normalized(0, 255), At(0, 200, 158));
        Assert.Equal(Normalized(0, 255), At(0, 200, 257));
        Assert.Equal(Normalized(0, 0), At(0, 200, 258));
    }

    [Fact]
    public void Write_FloatImage_ThrowsNamingTheType()
    {
        using var image = new Mat(10, 10, MatType.CV_32FC3, Scalar.All(0));

        var error = Assert.Throws<ArgumentException>(() => _resizer.Write(image, _slot));

        Assert.Contains("CV_32FC3", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(20, false)] // wider than tall: padding above and below
    [InlineData(20, true)] // a portrait crop: padding left and right
    public void Write_Interleaved_HoldsThePlanarValuesPixelByPixel(int frameIndex, bool portrait)
    {
        using var frame = VideoFrames.Vtest(frameIndex);
        using var image = portrait ? frame[new Rect(200, 0, 301, 576)].Clone() : frame.Clone();
        using var nhwc = new LetterboxResizer(Size, Size, Mean, Std, layout: TensorLayout.Nhwc);
        var interleaved = new float[3 * Plane];
        _resizer.Write(image, _slot);

        var transform = nhwc.Write(image, interleaved);

        Assert.True(portrait ? transform.PadX > 0 : transform.PadY > 0);
        var mismatches = 0;
        for (var y = 0; y < Size; y++)
        {
            for (var x = 0; x < Size; x++)
            {
                for (var c = 0; c < 3; c++)
                {
                    mismatches += interleaved[((y * Size) + x) * 3 + c] == At(c, y, x) ? 0 : 1;
                }
            }
        }

        Assert.Equal(0, mismatches);
    }

    [Fact]
    public void Write_Bytes_AreTheNormalizedValuesQuantizedAsQuantizeLinearRoundsThem()
    {
        var quantization = new QuantizationParameters(0.018658448f, 114);
        using var bytes = new LetterboxResizer(Size, Size, Mean, Std, quantization: quantization);
        using var frame = VideoFrames.Vtest(300);
        var slot = new byte[3 * Plane];
        _resizer.Write(frame, _slot);

        bytes.Write(frame, slot);

        Assert.Equal(_slot.Select(quantization.Quantize), slot);

        // Round half to even, saturating: 2.5 steps → 2, 3.5 → 4; far below the range → 0, far above → 255.
        var step = new QuantizationParameters(1f, 100);
        Assert.Equal(((byte)102, (byte)104, (byte)0, (byte)255), (step.Quantize(2.5f), step.Quantize(3.5f), step.Quantize(-500f), step.Quantize(500f)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Write_TwoByTwoBlocks_PutsEachPixelInItsBlockAndChannel(bool portrait)
    {
        var quantization = new QuantizationParameters(0.02f, 120);
        using var plain = new LetterboxResizer(Size, Size, Mean, Std, "RGB", 114, TensorLayout.Nhwc, quantization);
        using var blocks = new LetterboxResizer(Size, Size, Mean, Std, "RGB", 114, TensorLayout.Nhwc, quantization, spaceToDepth: 2);
        using var frame = VideoFrames.Vtest(640);
        using var image = portrait ? frame[new Rect(101, 0, 333, 576)].Clone() : frame.Clone();
        var expected = new byte[3 * Plane];
        var actual = new byte[3 * Plane];
        Array.Fill(actual, (byte)7); // every element must be written

        plain.Write(image, expected);
        blocks.Write(image, actual);

        var half = Size / 2;
        var mismatches = 0;
        for (var y = 0; y < Size; y++)
        {
            for (var x = 0; x < Size; x++)
            {
                for (var c = 0; c < 3; c++)
                {
                    var block = ((((y / 2) * half) + (x / 2)) * 12) + ((((y % 2) * 2) + (x % 2)) * 3) + c;
                    mismatches += actual[block] == expected[((y * Size) + x) * 3 + c] ? 0 : 1;
                }
            }
        }

        Assert.Equal(0, mismatches);
    }

    [Fact]
    public void Constructor_BlocksWithPlanarLayoutOrOddSize_Refused()
    {
        Assert.Throws<ArgumentException>(() => new LetterboxResizer(Size, Size, Mean, Std, spaceToDepth: 2));
        Assert.Throws<ArgumentException>(() => new LetterboxResizer(415, Size, Mean, Std, layout: TensorLayout.Nhwc, spaceToDepth: 2));
        Assert.Throws<ArgumentException>(() => new LetterboxResizer(Size, Size, Mean, Std, layout: TensorLayout.Nhwc, spaceToDepth: 4));
        Assert.Throws<ArgumentException>(() => new LetterboxResizer(Size, Size, Mean, Std, quantization: new QuantizationParameters(0f, 0)));
    }

    private static float Normalized(int plane, byte value) => (value - Mean[plane]) / Std[plane];

    private float At(int plane, int y, int x) => _slot[plane * Plane + y * Size + x];
}
