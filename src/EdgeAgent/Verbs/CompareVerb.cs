using System.Globalization;
using EdgeVision.Models;
using EdgeVision.ModelTools.Evaluation;
using OpenCvSharp;

namespace EdgeVision.EdgeAgent.Verbs;

/// <summary>
/// <c>compare</c>: how well a candidate model (say, an INT8 quantization) reproduces a reference model's
/// detections on video frames: one-to-one matches of the same class at an IoU threshold, then precision,
/// recall and F1 with the reference as truth.
/// </summary>
internal sealed class CompareVerb : IVerb
{
    public string Name => "compare";

    public string Usage => "<reference-model> <candidate-model> [--video PATH] [--start I] [--step S] [--frames N] [--score X] [--iou X]";

    public Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var parsed = VerbArguments.Parse(Name, args, ["video=", "start=", "step=", "frames=", "score=", "iou="]);
        var referenceName = parsed.Positional(0, "the reference model name");
        var candidateName = parsed.Positional(1, "the candidate model name");
        parsed.ExpectPositionals(2);
        var video = parsed.Get("video", "/usr/share/doc/opencv-doc/examples/data/vtest.avi");
        var start = parsed.GetInt("start", 400, 0, int.MaxValue);
        var step = parsed.GetInt("step", 6, 1, 10_000);
        var frames = parsed.GetInt("frames", 60, 1, 100_000);
        var score = (float)parsed.GetDouble("score", 0.4, 0, 1);
        var iou = (float)parsed.GetDouble("iou", 0.5, 0, 1);

        var options = new DetectorOptions { ExecutionProviders = [ExecutionProvider.Cpu], ScoreThreshold = score };
        using var reference = OnnxDetector.Create(ModelCatalog.Default.Load(referenceName), options);
        using var candidate = OnnxDetector.Create(ModelCatalog.Default.Load(candidateName), options);
        using var capture = new VideoCapture(video);
        if (!capture.IsOpened())
        {
            throw new UserFacingException($"compare: video does not open: {video}");
        }

        var total = new AgreementResult(0, 0, 0, 0);
        using var frame = new Mat();
        var progress = ProgressReport.ForConsole(Name);
        for (var index = 0; total.Frames < frames && capture.Read(frame) && !frame.Empty(); index++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (index < start)
            {
                progress.Report($"reading to frame {start}", index + 1, start, "frames");
            }
            else if ((index - start) % step == 0)
            {
                total = total.Add(DetectionAgreement.Compare(reference.Detect(frame), candidate.Detect(frame), score, iou));
                progress.Report($"comparing {candidateName} with {referenceName}", total.Frames, frames, "frames");
            }
        }

        progress.EndLine();

        if (total.Frames == 0)
        {
            throw new UserFacingException($"compare: {video} has no frame at index {start} or later");
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{candidateName} vs {referenceName}, score ≥ {score}, IoU ≥ {iou}: {total}"));
        return Task.FromResult(0);
    }
}
