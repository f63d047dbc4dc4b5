using EdgeVision.Pipeline.Analytics;
using EdgeVision.Pipeline.Motion;
using OpenCvSharp;

namespace EdgeVision.Tests.Motion;

public sealed class MotionDetectorTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(200);

    [Fact]
    public void Detect_SameFrameAgain_StartedThenStill()
    {
        var detector = new MotionDetector(new MotionOptions());
        using var scene = Scene();

        Assert.Equal(MotionState.Started, detector.Detect(scene, TimeSpan.Zero));
        for (var i = 1; i <= 10; i++)
        {
            Assert.Equal(MotionState.Still, detector.Detect(scene, Step * i));
            Assert.Empty(detector.Boxes);
        }
    }

    [Fact]
    public void Detect_DarkBoxMoves_BoxesAroundWhereItIsAndWas()
    {
        var detector = new MotionDetector(new MotionOptions());
        using var before = Scene(box: new Rect(300, 200, 60, 150));
        using var after = Scene(box: new Rect(330, 200, 60, 150));

        detector.Detect(before, TimeSpan.Zero);
        var state = detector.Detect(after, Step);

        // A uniform box changes only at its leading and trailing edges: one or two boxes, together spanning both.
        Assert.Equal(MotionState.Moving, state);
        Assert.InRange(detector.Boxes.Count, 1, 2);
        var box = detector.Boxes.Aggregate((a, b) => a | b);
        // The change lies between x = 300 and 390 (old and new box); dilation widens it by a few grey pixels (≈ 13 px here).
        Assert.InRange(box.X, 300 - 20, 300 + 32);
        Assert.InRange(box.X + box.Width, 390 - 32, 390 + 20);
        Assert.InRange(box.Y, 200 - 20, 200 + 5);
        Assert.InRange(box.Y + box.Height, 350 - 5, 350 + 20);
    }

    [Fact]
    public void Detect_TwoBoxesFarApart_TwoBoxes()
    {
        var detector = new MotionDetector(new MotionOptions());
        using var before = Scene(box: new Rect(100, 100, 40, 100), second: new Rect(600, 400, 40, 100));
        using var after = Scene(box: new Rect(120, 100, 40, 100), second: new Rect(580, 400, 40, 100));

        detector.Detect(before, TimeSpan.Zero);

        Assert.Equal(MotionState.Moving, detector.Detect(after, Step));
        Assert.Equal(2, detector.Boxes.Count);
        Assert.Contains(detector.Boxes, b => b.Contains(new Point(140, 150)));
        Assert.Contains(detector.Boxes, b => b.Contains(new Point(610, 450)));
    }

    [Fact]
    public void Detect_WholeFrameBrighter_StillNotMotion()
    {
        var detector = new MotionDetector(new MotionOptions());
        using var scene = Scene();
        using var brighter = new Mat();
        Cv2.Add(scene, new Scalar(40, 40, 40), brighter);

        detector.Detect(scene, TimeSpan.Zero);

        Assert.Equal(MotionState.Still, detector.Detect(brighter, Step));
        Assert.Empty(detector.Boxes);
    }

    [Fact]
    public void Detect_LightsSwitched_GlobalChangeThenStillOnTheNewScene()
    {
        var detector = new MotionDetector(new MotionOptions());
        using var day = Scene();
        using var night = new Mat();
        Cv2.BitwiseNot(day, night);

        detector.Detect(day, TimeSpan.Zero);
        detector.Detect(day, Step);

        Assert.Equal(MotionState.GlobalChange, detector.Detect(night, Step * 2));
        Assert.Empty(detector.Boxes);
        Assert.Equal(MotionState.Still, detector.Detect(night, Step * 3));
    }

    [Fact]
    public void Detect_MotionInsideMask_Ignored()
    {
        var options = new MotionOptions
        {
            Masks = [new MaskOptions { Points = [[250f, 150f], [450f, 150f], [450f, 400f], [250f, 400f]], Normalized = false }],
        };
        var detector = new MotionDetector(options);
        using var before = Scene(box: new Rect(300, 200, 60, 150));
        using var after = Scene(box: new Rect(330, 200, 60, 150));

        detector.Detect(before, TimeSpan.Zero);

        Assert.Equal(MotionState.Still, detector.Detect(after, Step));
    }

    [Fact]
    public void Detect_SmallerThanMinArea_NotReported()
    {
        var detector = new MotionDetector(new MotionOptions { MinArea = 2000 });
        using var before = Scene(box: new Rect(300, 200, 8, 8));
        using var after = Scene(box: new Rect(312, 200, 8, 8));

        detector.Detect(before, TimeSpan.Zero);

        Assert.Equal(MotionState.Still, detector.Detect(after, Step));
    }

    [Fact]
    public void Detect_EveryFrameFreshNoise_NeverMoving()
    {
        var detector = new MotionDetector(new MotionOptions());
        using var noise = new Mat(576, 768, MatType.CV_8UC3);
        var states = new List<MotionState>();
        for (var i = 0; i < 50; i++)
        {
            Cv2.Randu(noise, Scalar.All(0), Scalar.All(256));
            states.Add(detector.Detect(noise, Step * i));
        }

        Assert.DoesNotContain(MotionState.Moving, states);
        Assert.Contains(MotionState.GlobalChange, states);
    }

    [Fact]
    public void Detect_NoisyPictureWithAWalker_OnlyTheWalkerMoves()
    {
        // Sensor noise of ±40 grey levels on every pixel of every frame passes the threshold of 25 on many pixels;
        // the threshold rises with the picture's median change, so only the box moving under the same noise counts.
        var detector = new MotionDetector(new MotionOptions());
        var noise = new Random(11);
        var states = new List<MotionState>();
        for (var i = 0; i < 20; i++)
        {
            using var frame = Scene(box: new Rect(100 + (i * 15), 200, 60, 150));
            using var grain = new Mat(576, 768, MatType.CV_8UC3);
            var bytes = new byte[576 * 768 * 3];
            noise.NextBytes(bytes);
            using (var flat = new Mat(576, 768 * 3, MatType.CV_8UC1))
            {
                flat.SetArray(bytes.Select(b => (byte)(b % 81)).ToArray());
                using var reshaped = flat.Reshape(3);
                Cv2.Add(frame, reshaped, frame);
            }

            states.Add(detector.Detect(frame, Step * i));
            if (i > 0)
            {
                var boxes = detector.Boxes;
                Assert.True(detector.EffectiveThreshold > 25, $"frame {i}: threshold stayed at {detector.EffectiveThreshold}");
                // Where the box is and has been (the background forgets its first place over a few seconds).
                var path = new Rect(50, 150, (i * 15) + 160, 250);
                Assert.All(boxes, b => Assert.True(path.Contains(b), $"frame {i}: motion at {b}, away from the walker's path {path}"));
            }
        }

        Assert.True(states.Count(s => s == MotionState.Moving) >= 15, string.Join(", ", states));
    }

    [Fact]
    public void Detect_AllBlack_StillAfterStart()
    {
        var detector = new MotionDetector(new MotionOptions());
        using var black = new Mat(576, 768, MatType.CV_8UC3, Scalar.All(0));

        Assert.Equal(MotionState.Started, detector.Detect(black, TimeSpan.Zero));
        Assert.Equal(MotionState.Still, detector.Detect(black, Step));
    }

    [Fact]
    public void Detect_TimeRunsBackwards_StartsAgain()
    {
        var detector = new MotionDetector(new MotionOptions());
        using var scene = Scene();
        detector.Detect(scene, TimeSpan.FromSeconds(5));

        Assert.Equal(MotionState.Started, detector.Detect(scene, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Detect_SteadyStream_AllocatesNothingPerFrame()
    {
        var detector = new MotionDetector(new MotionOptions());
        using var a = Scene(box: new Rect(300, 200, 60, 150));
        using var b = Scene(box: new Rect(330, 200, 60, 150));
        detector.Detect(a, TimeSpan.Zero);
        detector.Detect(b, Step);

        // The thread's count can jump by one allocation quantum (8 KB) when a garbage collection started by another
        // test resets it mid-loop, so the bound is per frame over 2 000 frames: under 8 bytes, where a single object
        // allocated per frame (24 bytes at least) would fail it.
        const int Frames = 2000;
        var before = GC.GetAllocatedBytesForCurrentThread();
        var moving = 0;
        for (var i = 2; i < Frames + 2; i++)
        {
            moving += detector.Detect(i % 2 == 0 ? a : b, Step * i) == MotionState.Moving ? 1 : 0;
        }

        var perFrame = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)Frames;
        Assert.True(moving >= Frames * 9 / 10, $"only {moving} of {Frames} frames saw the box move");
        Assert.True(perFrame < 8, $"{perFrame:F1} bytes allocated per frame");
    }

    [Fact]
    public void Detect_GreyFrameSize_KeepsAspectAtConfiguredHeight()
    {
        var detector = new MotionDetector(new MotionOptions { FrameHeight = 180 });
        using var scene = Scene();

        detector.Detect(scene, TimeSpan.Zero);

        Assert.Equal(new Size(240, 180), detector.GreySize);
    }

    /// <summary>A textured 768×576 scene (seeded noise, smoothed) with dark boxes drawn on it.</summary>
    internal static Mat Scene(Rect? box = null, Rect? second = null, int width = 768, int height = 576)
    {
        var scene = new Mat(height, width, MatType.CV_8UC3);
        var random = new Random(7);
        using (var flat = new Mat(height / 8, width / 8 * 3, MatType.CV_8UC1))
        using (var small = flat.Reshape(3))
        {
            var bytes = new byte[flat.Rows * flat.Cols];
            random.NextBytes(bytes);
            for (var i = 0; i < bytes.Length; i++)
            {
                bytes[i] = (byte)(60 + (bytes[i] % 120));
            }

            flat.SetArray(bytes);
            Cv2.Resize(small, scene, new Size(width, height), 0, 0, InterpolationFlags.Linear);
        }

        foreach (var rect in new[] { box, second })
        {
            if (rect is { } r)
            {
                Cv2.Rectangle(scene, r, Scalar.All(10), -1);
            }
        }

        return scene;
    }
}

/// <summary>The busy clip through the motion detector: gating must leave the tracking and line fixtures' frames as they were.</summary>
public sealed class MotionOnVtestTests
{
    [Fact]
    public void Detect_EveryFrameOfVtest_MotionOnEveryFrameAfterTheFirst()
    {
        // vtest.avi at 10 fps, as its tracking fixture and the bundled clip (its first 400 frames) are processed.
        var detector = new MotionDetector(new MotionOptions());
        using var capture = new VideoCapture(Tests.Pipeline.TestVideos.Vtest);
        using var frame = new Mat();
        var still = new List<int>();
        var frames = 0;
        for (var index = 0; capture.Read(frame) && !frame.Empty(); index++, frames++)
        {
            var state = detector.Detect(frame, TimeSpan.FromSeconds(index / 10.0));
            if (index > 0 && state != MotionState.Moving)
            {
                still.Add(index);
            }
        }

        Assert.Equal(Tests.Pipeline.TestVideos.VtestFrames, frames);
        Assert.Empty(still);
    }
}
