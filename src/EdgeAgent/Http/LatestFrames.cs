using System.Collections.Concurrent;
using EdgeVision.Pipeline;
using EdgeVision.Pipeline.Analytics;
using OpenCvSharp;

namespace EdgeVision.EdgeAgent.Http;

/// <summary>
/// The latest processed frame of each camera with the detections computed on it, so that the image a viewer gets
/// and its boxes always belong together. Keeping it costs one memory copy per processed frame on the analytics
/// stage; scaling to at most <see cref="MaxHeight"/> pixels and JPEG encoding happen only when someone asks, once
/// per frame however many ask (the last encoding is shared), on the asker's thread.
/// </summary>
internal sealed class LatestFrames : IFrameTap, IDisposable
{
    public const int MaxHeight = 480;

    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    private readonly bool _enabled;
    private readonly IReadOnlyDictionary<string, CameraAnalyticsOptions> _analytics;

    /// <param name="enabled">False (the web surface is off): nothing is kept and nothing costs.</param>
    /// <param name="analytics">Each camera's zones and lines, drawn on its images; none when null.</param>
    public LatestFrames(bool enabled = true, IReadOnlyDictionary<string, CameraAnalyticsOptions>? analytics = null)
    {
        _enabled = enabled;
        _analytics = analytics ?? new Dictionary<string, CameraAnalyticsOptions>();
    }

    public bool Wants(string camera) => _enabled;

    public void Offer(FrameDetections frame, Mat image, float scale)
    {
        ArgumentNullException.ThrowIfNull(frame);
        ArgumentNullException.ThrowIfNull(image);
        var slot = _slots.GetOrAdd(frame.Camera, _ => new Slot());
        lock (slot.Gate)
        {
            if (slot.Image.IsDisposed)
            {
                return;
            }

            // A plain copy (a memory copy, a fraction of a millisecond for 768×576): scaling for viewers is left
            // to the viewers' threads, so that keeping the latest image costs the pipeline next to nothing.
            image.CopyTo(slot.Image);
            slot.Frame = frame;
            slot.Scale = scale;
            Interlocked.Increment(ref slot.Version);
        }
    }

    /// <summary>Counts up with every frame kept for the camera; 0 before the first.</summary>
    public long Version(string camera) => _slots.TryGetValue(camera, out var slot) ? Interlocked.Read(ref slot.Version) : 0;

    /// <summary>Counts a live viewer of the camera in, unless <paramref name="max"/> already watch.</summary>
    public bool TryAddViewer(string camera, int max)
    {
        var slot = _slots.GetOrAdd(camera, _ => new Slot());
        if (Interlocked.Increment(ref slot.Viewers) <= max)
        {
            return true;
        }

        Interlocked.Decrement(ref slot.Viewers);
        return false;
    }

    public void RemoveViewer(string camera)
    {
        if (_slots.TryGetValue(camera, out var slot))
        {
            Interlocked.Decrement(ref slot.Viewers);
        }
    }

    /// <summary>The latest frame's detections, or null before the camera's first processed frame.</summary>
    public FrameDetections? Latest(string camera) => _slots.TryGetValue(camera, out var slot) ? Volatile.Read(ref slot.Frame) : null;

    /// <summary>
    /// The latest frame as JPEG, <paramref name="height"/> pixels high at most (its kept height when null), with
    /// the boxes, labels, scores and track ids drawn when <paramref name="boxes"/>; null before the first frame.
    /// </summary>
    public byte[]? Jpeg(string camera, int? height, bool boxes)
    {
        if (!_slots.TryGetValue(camera, out var slot))
        {
            return null;
        }

        using var copy = new Mat();
        FrameDetections frame;
        float scale;
        long version;
        lock (slot.Gate)
        {
            if (slot.Frame is null || slot.Image.IsDisposed)
            {
                return null;
            }

            var key = (slot.Version, height, boxes);
            if (slot.Encoded is { } cached && cached.Key == key)
            {
                return cached.Jpeg;
            }

            slot.Image.CopyTo(copy);
            frame = slot.Frame;
            scale = slot.Scale;
            version = slot.Version;
        }

        var target = Math.Min(Math.Min(height ?? MaxHeight, MaxHeight), copy.Height);
        if (target < copy.Height)
        {
            var width = Math.Max(1, (int)Math.Round((double)copy.Width * target / copy.Height));
            scale *= (float)target / copy.Height;
            Cv2.Resize(copy, copy, new Size(width, target), 0, 0, InterpolationFlags.Area);
        }

        if (boxes)
        {
            if (_analytics.TryGetValue(camera, out var areas))
            {
                DrawAreas(copy, areas, frame.Width, frame.Height, scale);
            }

            Draw(copy, frame, scale);
        }

        Cv2.ImEncode(".jpg", copy, out var jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, 80));
        lock (slot.Gate)
        {
            if (slot.Version == version)
            {
                slot.Encoded = ((version, height, boxes), jpeg);
            }
        }

        return jpeg;
    }

    /// <summary>Zones as outlines and counting lines as segments with their name, in the frame's pixels scaled to the image.</summary>
    private static void DrawAreas(Mat image, CameraAnalyticsOptions areas, int width, int height, float scale)
    {
        var thickness = Math.Max(1, image.Height / 240);
        var zoneColour = new Scalar(255, 200, 0);
        var lineColour = new Scalar(0, 200, 255);
        foreach (var zone in areas.Zones)
        {
            var normalized = RegionCoordinates.IsNormalized(zone.Normalized, zone.Points);
            var outline = zone.Points.Select(p => RegionCoordinates.ToPixels(p, normalized, width, height))
                .Select(p => new Point((int)(p.X * scale), (int)(p.Y * scale))).ToArray();
            if (outline.Length >= 3)
            {
                Cv2.Polylines(image, [outline], isClosed: true, zoneColour, thickness, LineTypes.AntiAlias);
                Label(image, zone.Name, outline[0], zoneColour);
            }
        }

        foreach (var line in areas.Lines)
        {
            var normalized = RegionCoordinates.IsNormalized(line.Normalized, [line.A, line.B]);
            var a = RegionCoordinates.ToPixels(line.A, normalized, width, height);
            var b = RegionCoordinates.ToPixels(line.B, normalized, width, height);
            var from = new Point((int)(a.X * scale), (int)(a.Y * scale));
            Cv2.Line(image, from, new Point((int)(b.X * scale), (int)(b.Y * scale)), lineColour, thickness + 1, LineTypes.AntiAlias);
            Label(image, line.Name, from, lineColour);
        }
    }

    private static void Label(Mat image, string text, Point at, Scalar colour)
    {
        var origin = new Point(Math.Max(0, at.X + 3), Math.Max(12, at.Y - 4));
        Cv2.PutText(image, text, origin, HersheyFonts.HersheySimplex, 0.45, Scalar.Black, 3, LineTypes.AntiAlias);
        Cv2.PutText(image, text, origin, HersheyFonts.HersheySimplex, 0.45, colour, 1, LineTypes.AntiAlias);
    }

    private static void Draw(Mat image, FrameDetections frame, float scale)
    {
        var ids = frame.Analytics?.TrackIds;
        var thickness = Math.Max(1, image.Height / 240);
        for (var i = 0; i < frame.Detections.Length; i++)
        {
            var d = frame.Detections[i];
            var colour = Palette[d.ClassId & (Palette.Length - 1)];
            var box = new Rect((int)(d.X1 * scale), (int)(d.Y1 * scale), Math.Max(1, (int)(d.Width * scale)), Math.Max(1, (int)(d.Height * scale)));
            Cv2.Rectangle(image, box, colour, thickness);
            var id = ids is not null && i < ids.Length && ids[i] != 0 ? $" #{ids[i]}" : string.Empty;
            var text = $"{d.Label} {d.Score:0.00}{id}";
            var origin = new Point(box.X, Math.Max(10, box.Y - 3));
            var fontScale = 0.2 + (0.1 * thickness);
            Cv2.PutText(image, text, origin, HersheyFonts.HersheySimplex, fontScale, Scalar.Black, 3, LineTypes.AntiAlias);
            Cv2.PutText(image, text, origin, HersheyFonts.HersheySimplex, fontScale, colour, 1, LineTypes.AntiAlias);
        }
    }

    // A stable, well-spread colour per class (golden-ratio hue steps), worked out once rather than per box drawn.
    private static readonly Scalar[] Palette = Enumerable.Range(0, 256).Select(ColourOf).ToArray();

    private static Scalar ColourOf(int classId)
    {
        var hue = (classId * 0.618034) % 1.0;
        using var hsv = new Mat(1, 1, MatType.CV_8UC3, new Scalar(hue * 180, 200, 255));
        using var bgr = new Mat();
        Cv2.CvtColor(hsv, bgr, ColorConversionCodes.HSV2BGR);
        var pixel = bgr.At<Vec3b>(0, 0);
        return new Scalar(pixel.Item0, pixel.Item1, pixel.Item2);
    }

    /// <summary>Frees every camera's kept image; frames offered afterwards are not kept and no image is served.</summary>
    public void Dispose()
    {
        foreach (var slot in _slots.Values)
        {
            slot.Dispose();
        }
    }

    private sealed class Slot : IDisposable
    {
        public readonly Lock Gate = new();
        public readonly Mat Image = new();
        public FrameDetections? Frame;
        public float Scale;
        public long Version;
        public int Viewers;
        public ((long Version, int? Height, bool Boxes) Key, byte[] Jpeg)? Encoded;

        public void Dispose()
        {
            lock (Gate)
            {
                Image.Dispose();
            }
        }
    }
}
