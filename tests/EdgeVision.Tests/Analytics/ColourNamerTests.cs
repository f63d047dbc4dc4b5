using System.Runtime.InteropServices;
using EdgeVision.Pipeline.Analytics;
using EdgeVision.Tests.Support;
using OpenCvSharp;

namespace EdgeVision.Tests.Analytics;

public sealed class ColourNamerTests
{
    private readonly ColourNamer _namer = new();

    [Theory]
    [InlineData(0, 0, 0, "black")]
    [InlineData(30, 30, 30, "black")]
    [InlineData(70, 70, 70, "black")]
    [InlineData(128, 128, 128, "grey")]
    [InlineData(200, 200, 200, "grey")]
    [InlineData(240, 240, 240, "white")]
    [InlineData(255, 255, 255, "white")]
    [InlineData(0, 0, 255, "red")]
    [InlineData(0, 0, 80, "dark red")]
    [InlineData(203, 192, 255, "pink")] // CSS pink: a pale red
    [InlineData(180, 105, 255, "pink")] // CSS hot pink: magenta hue, bright
    [InlineData(0, 128, 255, "orange")]
    [InlineData(19, 69, 139, "brown")] // CSS saddle brown: orange hue, dark
    [InlineData(0, 255, 255, "yellow")]
    [InlineData(0, 255, 0, "green")]
    [InlineData(0, 80, 0, "dark green")]
    [InlineData(144, 238, 144, "light green")]
    [InlineData(255, 0, 0, "blue")]
    [InlineData(90, 0, 0, "dark blue")]
    [InlineData(230, 216, 173, "light blue")]
    [InlineData(200, 0, 130, "purple")] // violet hue
    [InlineData(128, 0, 128, "purple")] // CSS purple: magenta hue, dark
    public void Name_SolidColourCar_OverallIsThatColour(int b, int g, int r, string expected)
    {
        using var frame = new Mat(120, 160, MatType.CV_8UC3, new Scalar(b, g, r));

        var colours = _namer.Name(frame, new BoxF(10, 10, 150, 110), "car");

        Assert.Equal(new ObjectColours(null, null, expected), colours);
    }

    [Fact]
    public void Name_SolidColourPerson_AllThreeNamesAreThatColour()
    {
        using var frame = new Mat(300, 200, MatType.CV_8UC3, new Scalar(0, 255, 0));

        var colours = _namer.Name(frame, new BoxF(50, 20, 110, 280), "person");

        Assert.Equal(new ObjectColours("green", "green", "green"), colours);
    }

    [Fact]
    public void Name_PersonInRedTopAndBlueTrousersOnGrass_NamesTopAndTrousers()
    {
        // Grass-green background; box 100–200 × 50–350; body 120–180 wide: red to y 200, blue below.
        using var frame = new Mat(400, 300, MatType.CV_8UC3, new Scalar(0, 160, 0));
        frame[new Rect(120, 50, 60, 150)].SetTo(new Scalar(0, 0, 255));
        frame[new Rect(120, 200, 60, 150)].SetTo(new Scalar(255, 0, 0));

        var colours = _namer.Name(frame, new BoxF(100, 50, 200, 350), "person");

        // Overall: the two halves have equal samples, and a tie goes to the palette's order (red before blue).
        Assert.Equal(new ObjectColours("red", "blue", "red"), colours);
    }

    [Fact]
    public void Name_PersonWithBackgroundBesideTorso_InsetKeepsBackgroundOut()
    {
        // The box is twice as wide as the body (grey pavement both sides); the 20 % inset leaves 1/6 pavement.
        using var frame = new Mat(400, 300, MatType.CV_8UC3, new Scalar(150, 150, 150));
        frame[new Rect(125, 50, 50, 300)].SetTo(new Scalar(0, 255, 255));

        var colours = _namer.Name(frame, new BoxF(100, 50, 200, 350), "person");

        Assert.Equal(new ObjectColours("yellow", "yellow", "yellow"), colours);
    }

    [Fact]
    public void Name_FourEqualStripes_NoColourReachesMinimumShare()
    {
        using var frame = new Mat(100, 400, MatType.CV_8UC3, new Scalar(0, 0, 255));
        frame[new Rect(100, 0, 100, 100)].SetTo(new Scalar(0, 255, 0));
        frame[new Rect(200, 0, 100, 100)].SetTo(new Scalar(255, 0, 0));
        frame[new Rect(300, 0, 100, 100)].SetTo(new Scalar(0, 255, 255));

        var colours = _namer.Name(frame, new BoxF(-40, 0, 440, 100), "bus");

        Assert.Equal(new ObjectColours(null, null, null), colours);
    }

    [Fact]
    public void Name_ShadesOfOneFamily_FamilyOutvotesLargerSingleBin()
    {
        // 30 % grey, 28 % blue, 22 % dark blue, 20 % light blue: the grey bin is the largest, the blue family larger.
        using var frame = new Mat(100, 100, MatType.CV_8UC3, new Scalar(128, 128, 128));
        frame[new Rect(30, 0, 28, 100)].SetTo(new Scalar(255, 0, 0));
        frame[new Rect(58, 0, 22, 100)].SetTo(new Scalar(90, 0, 0));
        frame[new Rect(80, 0, 20, 100)].SetTo(new Scalar(230, 216, 173));
        var namer = new ColourNamer(maxSamplesPerRegion: 10_000);

        var colours = namer.Name(frame, new BoxF(-100 / 8f, 0, 100 + 100 / 8f, 100), "car");

        Assert.Equal("blue", colours.Overall);
    }

    [Fact]
    public void Name_BoxOutsideFrame_NoNames()
    {
        using var frame = new Mat(100, 100, MatType.CV_8UC3, new Scalar(0, 0, 255));

        Assert.Equal(new ObjectColours(null, null, null), _namer.Name(frame, new BoxF(120, 10, 180, 90), "person"));
        Assert.Equal(new ObjectColours(null, null, null), _namer.Name(frame, new BoxF(50, 50, 50, 90), "car"));
    }

    [Fact]
    public void Name_BoxPartlyOutsideFrame_NamesThePartInside()
    {
        using var frame = new Mat(100, 100, MatType.CV_8UC3, new Scalar(0, 0, 255));

        Assert.Equal(new ObjectColours(null, null, "red"), _namer.Name(frame, new BoxF(60, -50, 160, 50), "car"));
    }

    [Fact]
    public void Name_GreyscaleFrame_Throws()
    {
        using var frame = new Mat(100, 100, MatType.CV_8UC1, Scalar.All(0));

        var error = Assert.Throws<ArgumentException>(() => _namer.Name(frame, new BoxF(0, 0, 50, 50), "car"));
        Assert.Equal("frame", error.ParamName);
    }

    [Fact]
    public void Name_RepeatedCalls_AllocateOnlyTheResults()
    {
        using var frame = new Mat(300, 200, MatType.CV_8UC3, new Scalar(0, 0, 255));
        var box = new BoxF(50, 20, 110, 280);
        _namer.Name(frame, box, "person");
        _namer.Name(frame, box, "car");

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            _namer.Name(frame, box, "person");
            _namer.Name(frame, box, "car");
        }

        var perCall = (GC.GetAllocatedBytesForCurrentThread() - before) / 200.0;

        // An ObjectColours on 64-bit: 16 bytes of header and three references. The names are shared strings.
        Assert.Equal(40, perCall);
    }

    [Fact]
    public void ToHsv_EveryBgrTriple_EqualsOpenCvConversion()
    {
        // All 2^24 colours: one 4096×4096 image, pixel (x, y) = (B, G, R) from the 24 bits of y·4096 + x.
        using var bgr = new Mat(4096, 4096, MatType.CV_8UC3);
        var all = new byte[4096 * 4096 * 3];
        for (var i = 0; i < 1 << 24; i++)
        {
            all[3 * i] = (byte)(i >> 16);
            all[3 * i + 1] = (byte)(i >> 8);
            all[3 * i + 2] = (byte)i;
        }

        Marshal.Copy(all, 0, bgr.Data, all.Length);
        using var hsv = new Mat();
        Cv2.CvtColor(bgr, hsv, ColorConversionCodes.BGR2HSV);
        var expected = new byte[all.Length];
        Marshal.Copy(hsv.Data, expected, 0, expected.Length);

        var mismatches = 0;
        for (var i = 0; i < 1 << 24; i++)
        {
            var (h, s, v) = ColourNamer.ToHsv(all[3 * i], all[3 * i + 1], all[3 * i + 2]);
            if (h != expected[3 * i] || s != expected[3 * i + 1] || v != expected[3 * i + 2])
            {
                mismatches++;
            }
        }

        Assert.Equal(0, mismatches);
    }

    // Real pixels: OpenCV's vtest.avi frame 160 (768×576, overcast, pedestrians). Boxes were drawn by hand around
    // people whose clothing is plain to see; colours that a person could fairly call by two names are not asserted.
    private static Mat Vtest160() =>
        Cv2.ImRead(Path.Combine(RepositoryPaths.Fixtures, "frames", "vtest_000160.png"), ImreadModes.Color);

    [Fact]
    public void Name_VtestManInDarkJacketAndTrousers_BlackTopAndTrousers()
    {
        using var frame = Vtest160();

        var colours = _namer.Name(frame, new BoxF(475, 202, 508, 285), "person");

        Assert.Equal(new ObjectColours("black", "black", "black"), colours);
    }

    [Fact]
    public void Name_VtestManInStripedJumperAndJeans_BlueTrousers()
    {
        // The jumper is navy: "black" and "dark blue" are both fair, so only the jeans are asserted.
        using var frame = Vtest160();

        var colours = _namer.Name(frame, new BoxF(500, 222, 542, 302), "person");

        Assert.Equal("blue", colours.Lower);
    }

    [Fact]
    public void Name_VtestWomanInPaleJacketAndJeans_BlueTrousers()
    {
        // The jacket is a washed-out pale blue, half of it clipped to white: not asserted.
        using var frame = Vtest160();

        var colours = _namer.Name(frame, new BoxF(350, 172, 380, 245), "person");

        Assert.Equal("blue", colours.Lower);
    }

    [Fact]
    public void Name_VtestDistantPersonInRedJacket_RedTop()
    {
        // Seen from behind with a dark backpack over the red jacket; the trousers are too dark to call.
        using var frame = Vtest160();

        var colours = _namer.Name(frame, new BoxF(658, 103, 675, 160), "person");

        Assert.Equal("red", colours.Upper);
    }

    [Fact]
    public void Name_VtestParkedWhiteVan_White()
    {
        using var frame = Vtest160();

        var colours = _namer.Name(frame, new BoxF(652, 45, 722, 100), "car");

        Assert.Equal(new ObjectColours(null, null, "white"), colours);
    }

    [Fact]
    public void Name_VtestParkedPaleBlueCar_LightBlue()
    {
        using var frame = Vtest160();

        var colours = _namer.Name(frame, new BoxF(737, 55, 768, 92), "car");

        Assert.Equal(new ObjectColours(null, null, "light blue"), colours);
    }

    [Fact]
    public void Describe_SameAndDifferentClothes_SimilarityOneForSameNearZeroForDifferent()
    {
        using var frame = new Mat(100, 120, MatType.CV_8UC3, new Scalar(30, 30, 30));
        frame[new Rect(0, 0, 40, 52)].SetTo(new Scalar(0, 0, 200));
        frame[new Rect(0, 52, 40, 48)].SetTo(new Scalar(160, 90, 40));
        frame[new Rect(40, 0, 40, 52)].SetTo(new Scalar(0, 0, 200));
        frame[new Rect(40, 52, 40, 48)].SetTo(new Scalar(160, 90, 40));
        var first = new float[ColourNamer.DescriptorLength];
        var second = new float[ColourNamer.DescriptorLength];
        var third = new float[ColourNamer.DescriptorLength];
        var namer = new ColourNamer();

        Assert.True(namer.Describe(frame, new BoxF(0, 0, 40, 100), first));
        Assert.True(namer.Describe(frame, new BoxF(40, 0, 80, 100), second));
        Assert.True(namer.Describe(frame, new BoxF(80, 0, 120, 100), third));
        Assert.False(namer.Describe(frame, new BoxF(200, 0, 240, 100), new float[ColourNamer.DescriptorLength]));

        Assert.Equal(1f, ColourNamer.UpperSimilarity(first, second), 3);
        Assert.Equal(1f, ColourNamer.LowerSimilarity(first, second), 3);
        Assert.Equal(0f, ColourNamer.UpperSimilarity(first, third), 3);
        Assert.Equal(0f, ColourNamer.LowerSimilarity(first, third), 3);
    }
}
