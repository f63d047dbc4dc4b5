using System.Diagnostics;
using System.Globalization;
using EdgeVision.Tests.Pipeline;
using OpenCvSharp;

namespace EdgeVision.Tests.Motion;

/// <summary>H.264 test clips made from vtest.avi with Debian's ffmpeg, as an IP camera would send them.</summary>
internal static class H264Videos
{
    /// <summary>vtest frame <paramref name="frame"/> held still for <paramref name="seconds"/> at 10 fps.</summary>
    public static string Still(string directory, int frame, double seconds)
    {
        var png = Path.Combine(directory, $"vtest-{frame}.png");
        using (var image = Tests.Models.VideoFrames.Vtest(frame))
        {
            Cv2.ImWrite(png, image);
        }

        var path = Path.Combine(directory, $"still-{frame}.mp4");
        Run("-loop", "1", "-framerate", "10", "-i", png, "-t", Format(seconds), "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", path);
        return path;
    }

    /// <summary>A 768×576 clip at 10 fps from one of ffmpeg's generators: all black, or grey under strong noise that changes every frame.</summary>
    public static string Generated(string directory, string kind, double seconds)
    {
        var source = kind switch
        {
            "black" => "color=c=black:s=768x576:r=10",
            "noise" => "color=c=gray:s=768x576:r=10,noise=alls=100:allf=t+u",
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "black or noise"),
        };
        var path = Path.Combine(directory, $"{kind}.mp4");
        Run("-f", "lavfi", "-i", source, "-t", Format(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", path);
        return path;
    }

    /// <summary><paramref name="frames"/> frames of vtest.avi from frame <paramref name="firstFrame"/>, at 10 fps.</summary>
    public static string Clip(string directory, int firstFrame, int frames)
    {
        var path = Path.Combine(directory, $"vtest-{firstFrame}-{frames}.mp4");
        Run("-ss", Format(firstFrame / 10.0), "-i", TestVideos.Vtest, "-frames:v", frames.ToString(CultureInfo.InvariantCulture),
            "-r", "10", "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p", path);
        return path;
    }

    /// <summary>
    /// A <paramref name="tiles"/>×<paramref name="tiles"/> mosaic of vtest.avi, tile i playing from frame
    /// <paramref name="firstFrame"/> + i·<paramref name="frameStep"/>, for <paramref name="frames"/> frames at 10 fps:
    /// a wider-angle camera of the same pixel density.
    /// </summary>
    public static string Mosaic(string directory, int tiles, int firstFrame, int frameStep, int frames)
    {
        var path = Path.Combine(directory, $"mosaic-{tiles}x{tiles}.mp4");
        var arguments = new List<string>();
        var count = tiles * tiles;
        for (var i = 0; i < count; i++)
        {
            arguments.AddRange(["-ss", Format((firstFrame + (i * frameStep)) / 10.0), "-i", TestVideos.Vtest]);
        }

        var layout = new List<string>();
        for (var row = 0; row < tiles; row++)
        {
            for (var column = 0; column < tiles; column++)
            {
                layout.Add($"{column * 768}_{row * 576}");
            }
        }

        var inputs = string.Concat(Enumerable.Range(0, count).Select(i => $"[{i}:v]"));
        arguments.AddRange(["-filter_complex", $"{inputs}xstack=inputs={count}:layout={string.Join('|', layout)}", "-frames:v", frames.ToString(CultureInfo.InvariantCulture),
            "-r", "10", "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p", path]);
        Run([.. arguments]);
        return path;
    }

    private static string Format(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static void Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in (string[])["-v", "error", "-y", .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("ffmpeg did not start");
        var errors = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill();
            throw new TimeoutException("ffmpeg took over 3 minutes");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"ffmpeg failed ({process.ExitCode}): {errors.Result}");
        }
    }
}
