using System.Diagnostics;
using System.Globalization;
using EdgeVision.Models;
using EdgeVision.ModelTools.Evaluation;
using OpenCvSharp;

namespace EdgeVision.EdgeAgent.Verbs;

/// <summary>
/// <c>evaluate</c>: detectors against hand-labelled frames (evaluation/labels.json, frames extracted by
/// evaluation/fetch-frames.sh): per class the average precision at IoU ≥ 0.5 and precision/recall at a score,
/// and each model's time per frame through the detect path, the models taking turns frame set by frame set.
/// Prints a Markdown table.
/// </summary>
internal sealed class EvaluateVerb : IVerb
{
    public string Name => "evaluate";

    public string Usage => "[--labels FILE] [--frames DIR] [--models NAME,NAME] [--score X] [--iou X] [--rounds N] [--threads N] [--nms-groups car,truck,bus[;a,b]]";

    public Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var parsed = VerbArguments.Parse(Name, args, ["labels=", "frames=", "models=", "score=", "iou=", "rounds=", "threads=", "nms-groups="]);
        parsed.ExpectPositionals(0);
        var labelsPath = parsed.Get("labels", Path.Combine("evaluation", "labels.json"));
        var framesDirectory = parsed.Get("frames", Path.Combine(Path.GetDirectoryName(Path.GetFullPath(labelsPath))!, "frames"));
        var modelNames = parsed.Get("models", "nanodet-g-416,nanodet-g-416-int8,centernet-512")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var score = (float)parsed.GetDouble("score", new DetectorOptions().ScoreThreshold, 0, 1);
        var iou = (float)parsed.GetDouble("iou", 0.5, 0.05, 1);
        var rounds = parsed.GetInt("rounds", 3, 1, 100);
        var threads = parsed.GetInt("threads", Environment.ProcessorCount, 1, 256);
        var groups = parsed.Get("nms-groups", string.Empty)
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(g => g.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToList();

        var set = LabelledSet.Load(labelsPath);
        var images = new List<(LabelledFrame Frame, Mat Image)>();
        try
        {
            foreach (var frame in set.Frames)
            {
                var path = Path.Combine(framesDirectory, frame.ImageName);
                if (!File.Exists(path))
                {
                    throw new UserFacingException($"evaluate: frame image missing: {path} (run evaluation/fetch-frames.sh first)");
                }

                var image = Cv2.ImRead(path, ImreadModes.Color);
                if (image.Empty() || image.Width != frame.Width || image.Height != frame.Height)
                {
                    image.Dispose();
                    throw new UserFacingException($"evaluate: {path} does not open as a {frame.Width}x{frame.Height} image");
                }

                images.Add((frame, image));
            }

            // Detections are kept from a low score so that the average precision sees the whole curve.
            var options = new DetectorOptions { ExecutionProviders = [ExecutionProvider.Cpu], ScoreThreshold = 0.05f, MaxBatchSize = 1, IntraOpThreads = threads, NmsLabelGroups = groups };
            var catalog = new ModelCatalog([Directory.GetCurrentDirectory(), AppContext.BaseDirectory], Hosting.EdgeVisionOptions.ImportedModels(null));
            var detectors = modelNames.Select(name => OnnxDetector.Create(catalog.Load(name), options)).ToList();
            try
            {
                var results = Evaluate(set, images, detectors, rounds, cancellationToken);
                Print(set, modelNames, results, score, iou, threads, rounds);
            }
            finally
            {
                detectors.ForEach(d => d.Dispose());
            }
        }
        finally
        {
            images.ForEach(i => i.Image.Dispose());
        }

        return Task.FromResult(0);

        List<(GroundTruthScorer Scorer, double MillisecondsPerFrame)> Evaluate(
            LabelledSet labelled, List<(LabelledFrame Frame, Mat Image)> frames, List<OnnxDetector> models, int roundCount, CancellationToken ct)
        {
            var scorers = models.Select(_ => new GroundTruthScorer(labelled.Classes, labelled.ClassOf, iou)).ToList();
            var times = models.Select(_ => new List<double>()).ToList();
            foreach (var model in models)
            {
                model.Detect(frames[0].Image); // warm-up: the first run allocates and plans
            }

            for (var round = 0; round < roundCount; round++)
            {
                for (var m = 0; m < models.Count; m++)
                {
                    var clock = Stopwatch.StartNew();
                    foreach (var (frame, image) in frames)
                    {
                        ct.ThrowIfCancellationRequested();
                        var found = models[m].Detect(image);
                        if (round == 0)
                        {
                            scorers[m].Add(frame, found);
                        }
                    }

                    times[m].Add(clock.Elapsed.TotalMilliseconds / frames.Count);
                }
            }

            return [.. scorers.Select((s, m) => (s, BenchVerb.Median(times[m])))];
        }
    }

    private static void Print(LabelledSet set, string[] names, List<(GroundTruthScorer Scorer, double Ms)> results, float score, float iou, int threads, int rounds)
    {
        var counts = string.Join(", ", set.Classes.Select(c => $"{set.Frames.Sum(f => f.Objects.Count(o => o.Label == c && !o.Difficult))} {c}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{set.Frames.Count} frames ({counts}; difficult objects ignored), IoU ≥ {iou}, precision/recall at score ≥ {score}; ms/frame: median of {rounds} rounds, detect path at batch 1, {threads} thread(s)"));
        Console.WriteLine();
        var header = "| model | " + string.Join(" | ", set.Classes.Select(c => $"{c} AP50 | {c} P / R")) + " | ms/frame |";
        Console.WriteLine(header);
        Console.WriteLine("|" + string.Concat(Enumerable.Repeat("---|", 2 + (2 * set.Classes.Count))));
        for (var m = 0; m < names.Length; m++)
        {
            var cells = set.Classes.Select(c =>
            {
                var s = results[m].Scorer.Score(c, score);
                return string.Create(CultureInfo.InvariantCulture, $"{s.AveragePrecision:F3} | {s.Precision:F2} / {s.Recall:F2} ({s.Hits}/{s.Labelled}, {s.Detected - s.Hits} false)");
            });
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {names[m]} | {string.Join(" | ", cells)} | {results[m].Ms:F1} |"));
        }
    }
}
