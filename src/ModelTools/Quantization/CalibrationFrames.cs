using EdgeVision.Models;
using OpenCvSharp;

namespace EdgeVision.ModelTools.Quantization;

/// <summary>
/// Calibration inputs: frames of a video (every <c>step</c>-th from <c>start</c>) or the images of a folder,
/// letterboxed and normalized exactly as the detector does at run time.
/// </summary>
public sealed class CalibrationFrames
{
    private static readonly string[] ImageExtensions = [".jpg", ".jpeg", ".png", ".bmp", ".webp"];

    private readonly string _source;
    private readonly ModelInputSpec _input;

    public CalibrationFrames(string source, ModelInputSpec input, int count, int start = 0, int step = 1)
    {
        if (!File.Exists(source) && !Directory.Exists(source))
        {
            throw new ToolInputException($"calibration source not found: {source}");
        }

        _source = source;
        _input = input;
        Count = count;
        Start = start;
        Step = Math.Max(step, 1);
    }

    public int Count { get; }

    public int Start { get; }

    public int Step { get; }

    /// <summary>Frame indices (video) or file positions (folder) this source yields, for keeping evaluation frames apart.</summary>
    public IEnumerable<int> Indices => Enumerable.Range(0, Count).Select(i => Start + (i * Step));

    public IEnumerable<float[]> Read()
    {
        foreach (var (tensor, _) in ReadWithLetterbox(_ => { }))
        {
            yield return tensor;
        }
    }

    /// <summary>
    /// As <see cref="Read"/>, with where each source image was placed in the input; <paramref name="source"/> sees the
    /// decoded image first (it is disposed after).
    /// </summary>
    public IEnumerable<(float[] Tensor, LetterboxTransform Letterbox)> ReadWithLetterbox(Action<Mat> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (_input.IsUInt8)
        {
            throw new ToolInputException("calibration runs the float model: its manifest's input.element_type must be float32, not uint8");
        }

        // The detector's letterbox, so calibration frames are exactly what the model sees at run time.
        using var resizer = LetterboxResizer.For(_input);
        foreach (var image in Directory.Exists(_source) ? ReadFolder() : ReadVideo())
        {
            using (image)
            {
                source(image);
                var tensor = new float[resizer.SlotLength];
                var letterbox = resizer.Write(image, tensor);
                yield return (tensor, letterbox);
            }
        }
    }

    private IEnumerable<Mat> ReadFolder()
    {
        var files = Directory.EnumerateFiles(_source)
            .Where(f => ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (files.Count == 0)
        {
            throw new ToolInputException($"calibration folder {_source} has no images");
        }

        foreach (var index in Indices.TakeWhile(i => i < files.Count))
        {
            var image = Cv2.ImRead(files[index], ImreadModes.Color);
            if (image.Empty())
            {
                image.Dispose();
                throw new ToolInputException($"calibration image does not decode: {files[index]}");
            }

            yield return image;
        }
    }

    private IEnumerable<Mat> ReadVideo()
    {
        using var capture = new VideoCapture(_source);
        if (!capture.IsOpened())
        {
            throw new ToolInputException($"calibration video does not open: {_source}");
        }

        var wanted = Indices.ToHashSet();
        var last = wanted.Max();
        var yielded = 0;
        for (var index = 0; index <= last; index++)
        {
            var frame = new Mat();
            if (!capture.Read(frame) || frame.Empty())
            {
                frame.Dispose();
                break;
            }

            if (wanted.Contains(index))
            {
                yielded++;
                yield return frame;
            }
            else
            {
                frame.Dispose();
            }
        }

        if (yielded == 0)
        {
            throw new ToolInputException($"calibration video {_source} has no frame at the requested indices");
        }
    }
}
