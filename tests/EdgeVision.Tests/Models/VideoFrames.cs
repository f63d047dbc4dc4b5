using OpenCvSharp;

namespace EdgeVision.Tests.Models;

/// <summary>Real camera frames: OpenCV's vtest.avi (768×576 pedestrians), shipped by Debian's opencv-doc.</summary>
internal static class VideoFrames
{
    public const string VtestPath = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";

    /// <summary>Decodes frame <paramref name="index"/> (0-based) of vtest.avi.</summary>
    public static Mat Vtest(int index)
    {
        using var capture = new VideoCapture(VtestPath);
        if (!capture.IsOpened())
        {
            throw new InvalidOperationException($"cannot open {VtestPath}; install opencv-doc");
        }

        var frame = new Mat();
        for (var i = 0; i <= index; i++)
        {
            if (!capture.Read(frame) || frame.Empty())
            {
                frame.Dispose();
                throw new InvalidOperationException($"{VtestPath} has no frame {index}");
            }
        }

        return frame;
    }

    /// <summary>Decodes the frames at <paramref name="indices"/> (ascending) in one pass through vtest.avi.</summary>
    public static Mat[] Vtest(IReadOnlyList<int> indices)
    {
        using var capture = new VideoCapture(VtestPath);
        if (!capture.IsOpened())
        {
            throw new InvalidOperationException($"cannot open {VtestPath}; install opencv-doc");
        }

        var frames = new List<Mat>(indices.Count);
        using var frame = new Mat();
        for (var i = 0; frames.Count < indices.Count; i++)
        {
            if (!capture.Read(frame) || frame.Empty())
            {
                frames.ForEach(f => f.Dispose());
                throw new InvalidOperationException($"{VtestPath} has no frame {indices[frames.Count]}");
            }

            if (i == indices[frames.Count])
            {
                frames.Add(frame.Clone());
            }
        }

        return [.. frames];
    }
}
