using EdgeVision.Models;
using OpenCvSharp;

namespace EdgeVision.Pipeline.Analytics;

/// <summary>
/// Names the dominant colours of a detected object from the frame's pixels: the top and the trousers of a
/// person, the whole body of anything else.
/// </summary>
/// <remarks>
/// <para>
/// A region is sampled on a grid of at most <c>gridSide × gridSide</c> pixels (400 by default) rather than read
/// whole: the dominant colour of a few thousand pixels is already settled by a few hundred, and the cost then
/// stays the same for a bus close to the camera and a person far away. Nothing is allocated per call except
/// the returned <see cref="ObjectColours"/>; each sampled pixel is converted with OpenCV's own 8-bit
/// BGR→HSV arithmetic (<see cref="ToHsv"/>), so names agree with what <c>Cv2.CvtColor</c> would give.
/// </para>
/// <para>
/// Every sample falls into one named bin (<see cref="NameOf"/>). Bins group into families (red and dark red;
/// green, dark green and light green; blue, dark blue and light blue; every other bin is its own family). The
/// family with the most samples wins, and must hold at least <see cref="MinimumShare"/> of them, else the
/// region has no name; the most frequent bin within the winning family names it. Voting by family first
/// keeps a pair of jeans — lit unevenly, so part "blue", part "dark blue", part "light blue" — from losing
/// to the grey pavement between the legs.
/// </para>
/// </remarks>
internal sealed class ColourNamer
{
    /// <summary>Fraction of the box's width cut from each side of a person: arms, and the background beside the torso.</summary>
    private const float PersonInset = 0.2f;

    /// <summary>Fraction cut from each side of other objects: a box is drawn around the object, so its rim is background.</summary>
    private const float ObjectInset = 0.1f;

    // A person's box runs from head to feet: 0–15 % is the head, 50–55 % the belt line, 90–100 % shoes and ground.
    private const float UpperTop = 0.15f;
    private const float UpperBottom = 0.50f;
    private const float LowerTop = 0.55f;
    private const float LowerBottom = 0.90f;

    private const int Black = 0;
    private const int Grey = 1;
    private const int White = 2;
    private const int Red = 3;
    private const int DarkRed = 4;
    private const int Pink = 5;
    private const int Orange = 6;
    private const int Brown = 7;
    private const int Yellow = 8;
    private const int Green = 9;
    private const int DarkGreen = 10;
    private const int LightGreen = 11;
    private const int Blue = 12;
    private const int DarkBlue = 13;
    private const int LightBlue = 14;
    private const int Purple = 15;
    private const int BinCount = 16;

    /// <summary>Number of values in a <see cref="Describe(Mat, BoxF, Span{float})"/> signature.</summary>
    public const int DescriptorLength = 2 * BinCount;

    private static readonly string[] BinNames =
    [
        "black", "grey", "white", "red", "dark red", "pink", "orange", "brown", "yellow",
        "green", "dark green", "light green", "blue", "dark blue", "light blue", "purple",
    ];

    private static readonly int[] FamilyOfBin =
    [
        Black, Grey, White, Red, Red, Pink, Orange, Brown, Yellow,
        Green, Green, Green, Blue, Blue, Blue, Purple,
    ];

    // OpenCV's fixed-point reciprocals (color_hsv.simd.hpp, hsv_shift = 12): 255·4096/v and 180·4096/(6·diff).
    private const int HsvShift = 12;
    private static readonly int[] SaturationDivisor = BuildDivisors(255 << HsvShift, 1);
    private static readonly int[] HueDivisor = BuildDivisors(180 << HsvShift, 6);

    private readonly int _gridSide;

    /// <param name="maxSamplesPerRegion">Upper bound on pixels read per region; rounded down to a square grid.</param>
    /// <param name="minimumShare">Share of a region's samples the winning colour family must hold to be named.</param>
    public ColourNamer(int maxSamplesPerRegion = 400, double minimumShare = 0.3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSamplesPerRegion, 1);
        if (minimumShare is < 0 or > 1 || double.IsNaN(minimumShare))
        {
            throw new ArgumentOutOfRangeException(nameof(minimumShare), minimumShare, "must lie in [0, 1]");
        }

        _gridSide = (int)Math.Sqrt(maxSamplesPerRegion);
        MinimumShare = minimumShare;
    }

    public double MinimumShare { get; }

    /// <summary>Every name <see cref="NameOf"/> can return.</summary>
    public static IReadOnlyList<string> Palette { get; } = Array.AsReadOnly(BinNames);

    /// <summary>
    /// The dominant colours of the object <paramref name="label"/> in <paramref name="box"/>. For "person":
    /// <see cref="ObjectColours.Upper"/> from 15–50 % of the box's height, <see cref="ObjectColours.Lower"/> from
    /// 55–90 %, and <see cref="ObjectColours.Overall"/> from both together; for any other label only
    /// <see cref="ObjectColours.Overall"/>. A name is null where the region lies outside the frame or no colour
    /// holds <see cref="MinimumShare"/> of it.
    /// </summary>
    /// <param name="frame">The frame the box was detected on: 8-bit, 3 channels, BGR.</param>
    public ObjectColours Name(Mat frame, BoxF box, string label)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(label);
        if (frame.Empty() || frame.Type() != MatType.CV_8UC3)
        {
            throw new ArgumentException($"expected a non-empty 8-bit BGR frame (CV_8UC3), got {frame.Type()} {frame.Width}x{frame.Height}", nameof(frame));
        }

        if (label != "person")
        {
            Span<int> counts = stackalloc int[BinCount];
            var samples = Sample(frame, box, ObjectInset, 0, 1, counts);
            return new ObjectColours(null, null, Dominant(counts, samples));
        }

        Span<int> upper = stackalloc int[BinCount];
        Span<int> lower = stackalloc int[BinCount];
        var upperSamples = Sample(frame, box, PersonInset, UpperTop, UpperBottom, upper);
        var lowerSamples = Sample(frame, box, PersonInset, LowerTop, LowerBottom, lower);
        Span<int> both = stackalloc int[BinCount];
        for (var i = 0; i < BinCount; i++)
        {
            both[i] = upper[i] + lower[i];
        }

        return new ObjectColours(
            Dominant(upper, upperSamples),
            Dominant(lower, lowerSamples),
            Dominant(both, upperSamples + lowerSamples));
    }

    /// <summary>
    /// A colour signature of the object in <paramref name="box"/> for telling objects apart while tracking:
    /// the share of each palette bin in the upper band (15–50 % of the height) and in the lower band (55–90 %),
    /// both narrowed like a person's torso, written to <paramref name="descriptor"/>
    /// (<see cref="DescriptorLength"/> values, each band summing to 1). Returns false, leaving the descriptor
    /// unspecified, when a band lies outside the frame.
    /// </summary>
    /// <param name="frame">8-bit BGR, as for <see cref="Name"/>; the box is in this frame's pixels.</param>
    public bool Describe(Mat frame, BoxF box, Span<float> descriptor)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (descriptor.Length < DescriptorLength)
        {
            throw new ArgumentException($"needs room for {DescriptorLength} values, got {descriptor.Length}", nameof(descriptor));
        }

        Span<int> counts = stackalloc int[BinCount];
        return DescribeBand(frame, box, UpperTop, UpperBottom, counts, descriptor[..BinCount])
            && DescribeBand(frame, box, LowerTop, LowerBottom, counts, descriptor.Slice(BinCount, BinCount));
    }

    /// <summary>
    /// <see cref="Describe(Mat, BoxF, Span{float})"/> for each detection, boxes given in source pixels and scaled by
    /// <paramref name="scale"/> onto <paramref name="frame"/>, into consecutive runs of
    /// <see cref="DescriptorLength"/> values; a detection with no signature gets NaN as its first value.
    /// </summary>
    public void Describe(Mat frame, ReadOnlySpan<Detection> detections, float scale, Span<float> signatures)
    {
        for (var i = 0; i < detections.Length; i++)
        {
            var d = detections[i];
            var signature = signatures.Slice(i * DescriptorLength, DescriptorLength);
            if (!Describe(frame, new BoxF(d.X1 * scale, d.Y1 * scale, d.X2 * scale, d.Y2 * scale), signature))
            {
                signature[0] = float.NaN;
            }
        }
    }

    /// <summary>Bhattacharyya coefficient of the upper bands of two <see cref="Describe(Mat, BoxF, Span{float})"/> signatures, in [0, 1].</summary>
    public static float UpperSimilarity(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => BandSimilarity(a[..BinCount], b[..BinCount]);

    /// <summary>Bhattacharyya coefficient of the lower bands of two <see cref="Describe(Mat, BoxF, Span{float})"/> signatures, in [0, 1].</summary>
    public static float LowerSimilarity(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => BandSimilarity(a.Slice(BinCount, BinCount), b.Slice(BinCount, BinCount));

    private bool DescribeBand(Mat frame, BoxF box, float top, float bottom, Span<int> counts, Span<float> band)
    {
        counts.Clear();
        var samples = Sample(frame, box, PersonInset, top, bottom, counts);
        if (samples == 0)
        {
            return false;
        }

        for (var bin = 0; bin < BinCount; bin++)
        {
            band[bin] = counts[bin] / (float)samples;
        }

        return true;
    }

    private static float BandSimilarity(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var sum = 0f;
        for (var bin = 0; bin < a.Length; bin++)
        {
            sum += MathF.Sqrt(a[bin] * b[bin]);
        }

        return Math.Min(sum, 1f);
    }

    /// <summary>
    /// OpenCV's 8-bit BGR→HSV conversion of one pixel (COLOR_BGR2HSV): H in 0–179 (degrees halved), S and V in
    /// 0–255, computed with the same fixed-point arithmetic so the result is bit-identical.
    /// </summary>
    public static (byte H, byte S, byte V) ToHsv(byte b, byte g, byte r)
    {
        int v = Math.Max(b, Math.Max(g, r));
        int min = Math.Min(b, Math.Min(g, r));
        var diff = v - min;
        var s = (diff * SaturationDivisor[v] + (1 << (HsvShift - 1))) >> HsvShift;
        int h;
        if (v == r)
        {
            h = g - b;
        }
        else if (v == g)
        {
            h = b - r + 2 * diff;
        }
        else
        {
            h = r - g + 4 * diff;
        }

        h = (h * HueDivisor[diff] + (1 << (HsvShift - 1))) >> HsvShift;
        if (h < 0)
        {
            h += 180;
        }

        return ((byte)h, (byte)s, (byte)v);
    }

    /// <summary>
    /// The palette name of one OpenCV HSV pixel (H 0–179, S and V 0–255). Rules, in order:
    /// <list type="number">
    /// <item>V &lt; 50 → black: too dark for any hue to be seen.</item>
    /// <item>Achromatic when S &lt; 45 or the chroma V·S/255 (≈ max − min of B, G, R) is below 20 — S alone
    /// exaggerates sensor noise in dark pixels, where max is small. Then V &lt; 90 → black, V &lt; 220 → grey,
    /// else white. 220 rather than the middle of the range because grey pavement under an overcast sky reads
    /// V ≈ 185–215 on a typical camera, while white paint and white cars clip near 255.</item>
    /// <item>Otherwise by hue, in degrees (H·2), with "dark" meaning V &lt; 100 and "light" meaning S &lt; 110 and
    /// V ≥ 170:
    /// 0–16° and 340–360° red (dark → dark red, light → pink);
    /// 16–38° orange (V &lt; 150 → brown: brown is dark orange);
    /// 38–68° yellow (dark → brown: dark yellows look olive-brown on camera);
    /// 68–170° green (dark green, light green);
    /// 170–260° blue, which takes in cyan (dark blue, light blue);
    /// 260–300° purple;
    /// 300–340° magenta: V &lt; 160 → purple, else pink.</item>
    /// </list>
    /// </summary>
    public static string NameOf(byte h, byte s, byte v) => BinNames[BinOf(h, s, v)];

    private static int BinOf(int h, int s, int v)
    {
        if (v < 50)
        {
            return Black;
        }

        var chroma = v * s / 255;
        if (s < 45 || chroma < 20)
        {
            return v < 90 ? Black : v < 220 ? Grey : White;
        }

        var dark = v < 100;
        var light = s < 110 && v >= 170;
        return h switch
        {
            < 8 or >= 170 => dark ? DarkRed : light ? Pink : Red,
            < 19 => v < 150 ? Brown : Orange,
            < 34 => dark ? Brown : Yellow,
            < 85 => dark ? DarkGreen : light ? LightGreen : Green,
            < 130 => dark ? DarkBlue : light ? LightBlue : Blue,
            < 150 => Purple,
            _ => v < 160 ? Purple : Pink,
        };
    }

    /// <summary>Counts the bins of a grid of pixels over a horizontal band of the box; returns how many were sampled.</summary>
    private unsafe int Sample(Mat frame, BoxF box, float inset, float top, float bottom, Span<int> counts)
    {
        var width = box.Width;
        var height = box.Height;
        if (!(width > 0 && height > 0))
        {
            return 0;
        }

        // Mat's size and data accessors call into OpenCV; read them once, not per pixel.
        var frameWidth = frame.Width;
        var frameHeight = frame.Height;
        var x0 = Math.Max(box.X1 + width * inset, 0f);
        var x1 = Math.Min(box.X2 - width * inset, frameWidth);
        var y0 = Math.Max(box.Y1 + height * top, 0f);
        var y1 = Math.Min(box.Y1 + height * bottom, frameHeight);
        if (!(x1 - x0 >= 1 && y1 - y0 >= 1))
        {
            return 0;
        }

        // Never more columns or rows than the region has pixels, so no pixel is counted twice.
        var columns = Math.Min(_gridSide, (int)(x1 - x0));
        var rows = Math.Min(_gridSide, (int)(y1 - y0));
        var stepX = (x1 - x0) / columns;
        var stepY = (y1 - y0) / rows;
        var stride = (long)frame.Step();
        var pixels = (byte*)frame.DataPointer;
        for (var j = 0; j < rows; j++)
        {
            var y = Math.Min((int)(y0 + (j + 0.5f) * stepY), frameHeight - 1);
            var row = pixels + y * stride;
            for (var i = 0; i < columns; i++)
            {
                var x = Math.Min((int)(x0 + (i + 0.5f) * stepX), frameWidth - 1);
                var pixel = row + x * 3;
                var (h, s, v) = ToHsv(pixel[0], pixel[1], pixel[2]);
                counts[BinOf(h, s, v)]++;
            }
        }

        return rows * columns;
    }

    private string? Dominant(ReadOnlySpan<int> counts, int samples)
    {
        if (samples == 0)
        {
            return null;
        }

        Span<int> families = stackalloc int[BinCount];
        for (var bin = 0; bin < BinCount; bin++)
        {
            families[FamilyOfBin[bin]] += counts[bin];
        }

        // Ties go to the lower index (the palette's order), so the same pixels always give the same name.
        var family = 0;
        for (var f = 1; f < BinCount; f++)
        {
            if (families[f] > families[family])
            {
                family = f;
            }
        }

        if (families[family] < MinimumShare * samples)
        {
            return null;
        }

        var best = -1;
        for (var bin = 0; bin < BinCount; bin++)
        {
            if (FamilyOfBin[bin] == family && (best < 0 || counts[bin] > counts[best]))
            {
                best = bin;
            }
        }

        return BinNames[best];
    }

    private static int[] BuildDivisors(int numerator, int scale)
    {
        var table = new int[256];
        for (var i = 1; i < 256; i++)
        {
            table[i] = (int)Math.Round(numerator / (double)(scale * i));
        }

        return table;
    }
}
