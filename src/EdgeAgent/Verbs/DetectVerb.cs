using System.Globalization;
using System.Text.Json;
using EdgeVision.Models;
using Microsoft.ML.OnnxRuntime;
using OpenCvSharp;

namespace EdgeVision.EdgeAgent.Verbs;

/// <summary>
/// <c>edgevision detect &lt;image|folder&gt;</c>: runs a detection model on still images and prints what it
/// finds, as a table or as JSON, optionally writing copies with the boxes drawn.
/// </summary>
internal sealed class DetectVerb : IVerb
{
    public const string DefaultModel = "nanodet-g-416";

    private static readonly string[] ImageExtensions = [".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"];

    private readonly TextWriter? _output;
    private readonly TextWriter? _warnings;

    public DetectVerb()
    {
    }

    /// <param name="output">Where results go; standard output when null.</param>
    /// <param name="warnings">Where warnings go; standard error when null.</param>
    public DetectVerb(TextWriter? output, TextWriter? warnings)
    {
        _output = output;
        _warnings = warnings;
    }

    public string Name => "detect";

    public string Usage => "<image|folder> [--model NAME|PATH.json] [--json] [--out DIR] [--threshold X]";

    public Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var output = _output ?? Console.Out;
        var parsed = VerbArguments.Parse(Name, args, ["model=", "json", "out=", "threshold="]);
        var input = parsed.Positional(0, "an image or a folder of images");
        if (parsed.Positionals.Count > 1)
        {
            throw new UserFacingException($"detect takes one image or folder, found a second: '{parsed.Positionals[1]}'", 2);
        }

        var outputDirectory = parsed.Get("out");
        var json = parsed.Has("json");
        var options = new DetectorOptions { MaxBatchSize = 1 };
        options.ScoreThreshold = (float)parsed.GetDouble("threshold", options.ScoreThreshold, 0, 1);
        var images = ListImages(input);
        var model = new ModelCatalog([Directory.GetCurrentDirectory(), AppContext.BaseDirectory], Hosting.EdgeVisionOptions.ImportedModels(null)).Load(parsed.Get("model", DefaultModel));

        if (outputDirectory is not null)
        {
            Directory.CreateDirectory(outputDirectory);
        }

        using var detector = OnnxDetector.Create(model, options, new ConsoleWarningLogger(_warnings ?? Console.Error));
        var results = new List<ImageResult>(images.Count);
        foreach (var path in images)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var image = Cv2.ImRead(path, ImreadModes.Color);
            if (image.Empty())
            {
                throw new UserFacingException($"cannot decode image {path}");
            }

            var result = new ImageResult(path, image.Width, image.Height, Detect(detector, image, path));
            if (outputDirectory is not null)
            {
                WriteAnnotated(image, result, outputDirectory);
            }

            if (json)
            {
                results.Add(result);
            }
            else
            {
                WriteTable(output, result);
            }
        }

        if (json)
        {
            WriteJson(output, results);
        }

        return Task.FromResult(0);
    }

    private static Detection[] Detect(OnnxDetector detector, Mat image, string path)
    {
        try
        {
            return detector.Detect(image);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new UserFacingException($"model {detector.Model.Name} failed on {path}: {ex.Message.ReplaceLineEndings(" ")}", 1, ex);
        }
    }

    private static List<string> ListImages(string input)
    {
        if (File.Exists(input))
        {
            return [Path.GetFullPath(input)];
        }

        if (!Directory.Exists(input))
        {
            throw new UserFacingException($"no such file or folder: {input}");
        }

        var images = Directory.EnumerateFiles(input)
            .Where(file => ImageExtensions.Contains(Path.GetExtension(file), StringComparer.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)
            .ToList();
        return images.Count > 0
            ? images
            : throw new UserFacingException($"no images in folder {input} (looked for {string.Join(", ", ImageExtensions)})");
    }

    private static void WriteTable(TextWriter output, ImageResult result)
    {
        output.WriteLine($"{result.File} ({result.Width}x{result.Height}): {result.Detections.Length} detection(s)");
        foreach (var d in result.Detections)
        {
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"  {d.Label,-16} {d.ClassId,3}  {d.Score,5:0.000}  [{d.X1,7:0.0}, {d.Y1,7:0.0}, {d.X2,7:0.0}, {d.Y2,7:0.0}]"));
        }
    }

    private static void WriteJson(TextWriter output, List<ImageResult> results)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartArray();
            foreach (var result in results)
            {
                json.WriteStartObject();
                json.WriteString("file", result.File);
                json.WriteNumber("width", result.Width);
                json.WriteNumber("height", result.Height);
                json.WriteStartArray("detections");
                foreach (var d in result.Detections)
                {
                    json.WriteStartObject();
                    json.WriteString("label", d.Label);
                    json.WriteNumber("class_id", d.ClassId);
                    json.WriteNumber("score", d.Score);
                    json.WriteStartArray("box");
                    json.WriteNumberValue(d.X1);
                    json.WriteNumberValue(d.Y1);
                    json.WriteNumberValue(d.X2);
                    json.WriteNumberValue(d.Y2);
                    json.WriteEndArray();
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    private static void WriteAnnotated(Mat image, ImageResult result, string directory)
    {
        var thickness = Math.Max(1, Math.Min(image.Width, image.Height) / 300);
        foreach (var d in result.Detections)
        {
            var colour = ColourOf(d.ClassId);
            var box = new Rect((int)d.X1, (int)d.Y1, (int)(d.X2 - d.X1), (int)(d.Y2 - d.Y1));
            Cv2.Rectangle(image, box, colour, thickness);
            var caption = string.Create(CultureInfo.InvariantCulture, $"{d.Label} {d.Score:0.00}");
            var textSize = Cv2.GetTextSize(caption, HersheyFonts.HersheySimplex, 0.5, 1, out var baseline);
            var textTop = Math.Max(0, box.Y - textSize.Height - baseline);
            Cv2.Rectangle(image, new Rect(box.X, textTop, textSize.Width, textSize.Height + baseline), colour, -1);
            Cv2.PutText(image, caption, new Point(box.X, textTop + textSize.Height), HersheyFonts.HersheySimplex, 0.5, Scalar.Black, 1, LineTypes.AntiAlias);
        }

        var target = Path.Combine(directory, Path.GetFileName(result.File));
        if (!Cv2.ImWrite(target, image))
        {
            throw new UserFacingException($"cannot write annotated image {target}");
        }
    }

    /// <summary>A fixed, well-spread colour per class so the same class looks the same in every image.</summary>
    private static Scalar ColourOf(int classId)
    {
        var hue = (classId * 47) % 180;
        using var hsv = new Mat(1, 1, MatType.CV_8UC3, new Scalar(hue, 200, 255));
        using var bgr = new Mat();
        Cv2.CvtColor(hsv, bgr, ColorConversionCodes.HSV2BGR);
        var pixel = bgr.At<Vec3b>(0, 0);
        return new Scalar(pixel.Item0, pixel.Item1, pixel.Item2);
    }

    private sealed record ImageResult(string File, int Width, int Height, Detection[] Detections);
}
