using System.Text.Json;
using EdgeVision.Models;

namespace EdgeVision.ModelTools.Evaluation;

/// <summary>One labelled object: a class of the set, its box in source pixels, and whether it is too hidden or small to count.</summary>
public sealed record LabelledObject(string Label, float X1, float Y1, float X2, float Y2, bool Difficult);

/// <summary>One labelled frame: a video's decoded frame (0-based) or a still image of a source.</summary>
public sealed record LabelledFrame(string Source, int Frame, string? File, int Width, int Height, IReadOnlyList<LabelledObject> Objects)
{
    /// <summary>The PNG the frame extraction writes: <c>&lt;source&gt;_&lt;frame, 6 digits&gt;.png</c>, or <c>&lt;source&gt;_&lt;file stem&gt;.png</c> for a still.</summary>
    public string ImageName => File is null
        ? FormattableString.Invariant($"{Source}_{Frame:D6}.png")
        : $"{Source}_{Path.GetFileNameWithoutExtension(File)}.png";
}

/// <summary>A hand-labelled ground-truth set (evaluation/labels.json): its classes and frames.</summary>
public sealed class LabelledSet
{
    private readonly Dictionary<string, string> _classOfModelLabel;

    private LabelledSet(IReadOnlyList<string> classes, Dictionary<string, string> classOfModelLabel, IReadOnlyList<LabelledFrame> frames)
    {
        Classes = classes;
        _classOfModelLabel = classOfModelLabel;
        Frames = frames;
    }

    public IReadOnlyList<string> Classes { get; }

    /// <summary>
    /// The set's class a detector's label counts as: the file's <c>model_labels</c> map (vehicle ← car, truck, bus,
    /// motorcycle), or the label itself when it names a class; null when it counts as none.
    /// </summary>
    public string? ClassOf(string modelLabel) =>
        _classOfModelLabel.TryGetValue(modelLabel, out var c) ? c : Classes.Contains(modelLabel) ? modelLabel : null;

    public IReadOnlyList<LabelledFrame> Frames { get; }

    /// <summary>Reads and checks a labels file; anything wrong is one line naming the file and the place.</summary>
    public static LabelledSet Load(string path)
    {
        if (!System.IO.File.Exists(path))
        {
            throw new ToolInputException($"labels file not found: {path}");
        }

        try
        {
            using var document = JsonDocument.Parse(System.IO.File.ReadAllText(path));
            var root = document.RootElement;
            var classes = root.GetProperty("classes").EnumerateArray().Select(c => c.GetString()!).ToList();
            var classOf = new Dictionary<string, string>(StringComparer.Ordinal);
            if (root.TryGetProperty("model_labels", out var map))
            {
                foreach (var entry in map.EnumerateObject())
                {
                    if (!classes.Contains(entry.Name))
                    {
                        throw new ToolInputException($"{path}: model_labels names '{entry.Name}', which is not one of the classes ({string.Join(", ", classes)})");
                    }

                    foreach (var label in entry.Value.EnumerateArray())
                    {
                        classOf[label.GetString()!] = entry.Name;
                    }
                }
            }
            var frames = new List<LabelledFrame>();
            var index = 0;
            foreach (var frame in root.GetProperty("frames").EnumerateArray())
            {
                var objects = new List<LabelledObject>();
                foreach (var o in frame.GetProperty("objects").EnumerateArray())
                {
                    var label = o.GetProperty("label").GetString()!;
                    var box = o.GetProperty("box").EnumerateArray().Select(v => v.GetSingle()).ToArray();
                    if (!classes.Contains(label))
                    {
                        throw new ToolInputException($"{path}: frames[{index}] has an object labelled '{label}', which is not one of the classes ({string.Join(", ", classes)})");
                    }

                    if (box.Length != 4 || box[2] <= box[0] || box[3] <= box[1])
                    {
                        throw new ToolInputException($"{path}: frames[{index}] has a box that is not [x1, y1, x2, y2] with x2 > x1 and y2 > y1");
                    }

                    var difficult = o.TryGetProperty("difficult", out var d) && d.GetBoolean();
                    objects.Add(new LabelledObject(label, box[0], box[1], box[2], box[3], difficult));
                }

                var file = frame.TryGetProperty("file", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
                frames.Add(new LabelledFrame(
                    frame.GetProperty("source").GetString()!,
                    frame.GetProperty("frame").GetInt32(),
                    file,
                    frame.GetProperty("width").GetInt32(),
                    frame.GetProperty("height").GetInt32(),
                    objects));
                index++;
            }

            return new LabelledSet(classes, classOf, frames);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new ToolInputException($"{path}: not a labels file ({e.GetType().Name}: {e.Message.Split('\n')[0]})");
        }
    }
}

/// <summary>
/// Scores detections against a labelled set, PASCAL VOC style: per class, detections in descending score each
/// take the labelled box they overlap most; at IoU ≥ the threshold that is a hit (the first time), a duplicate
/// (later), or nothing at all when the box is marked difficult; anything else is a false alarm. One pass gives
/// precision and recall at every score, hence the average precision.
/// </summary>
public sealed class GroundTruthScorer
{
    private readonly float _minIou;
    private readonly Func<string, string?> _classOf;
    private readonly Dictionary<string, List<(float Score, bool Hit)>> _scored = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _positives = new(StringComparer.Ordinal);

    /// <param name="classOf">The set's class a model label counts as (person → person, car → vehicle …), or null when it counts as none.</param>
    public GroundTruthScorer(IEnumerable<string> classes, Func<string, string?> classOf, float minIou = 0.5f)
    {
        _minIou = minIou;
        _classOf = classOf;
        foreach (var c in classes)
        {
            _scored[c] = [];
            _positives[c] = 0;
        }
    }

    public void Add(LabelledFrame frame, IReadOnlyList<Detection> detections)
    {
        foreach (var (name, scored) in _scored)
        {
            var truth = frame.Objects.Where(o => o.Label == name).ToList();
            _positives[name] += truth.Count(o => !o.Difficult);
            var taken = new bool[truth.Count];
            foreach (var d in detections.Where(d => _classOf(d.Label) == name).OrderByDescending(d => d.Score))
            {
                var best = -1;
                var bestIou = 0f;
                for (var i = 0; i < truth.Count; i++)
                {
                    var t = truth[i];
                    var iou = NonMaxSuppression.IntersectionOverUnion(new Detection(0, name, 1, t.X1, t.Y1, t.X2, t.Y2), d);
                    if (iou > bestIou)
                    {
                        best = i;
                        bestIou = iou;
                    }
                }

                if (best >= 0 && bestIou >= _minIou)
                {
                    if (truth[best].Difficult)
                    {
                        continue;
                    }

                    scored.Add((d.Score, !taken[best]));
                    taken[best] = true;
                }
                else
                {
                    scored.Add((d.Score, false));
                }
            }
        }
    }

    /// <summary>Precision, recall and counts of one class at a minimum score, and its average precision over all scores.</summary>
    public ClassScore Score(string name, float minScore)
    {
        var positives = _positives[name];
        var ranked = _scored[name].OrderByDescending(s => s.Score).ToList();
        var hits = ranked.Count(s => s.Score >= minScore && s.Hit);
        var kept = ranked.Count(s => s.Score >= minScore);
        return new ClassScore(name, positives, kept, hits, AveragePrecision(ranked, positives));
    }

    /// <summary>Area under the precision-recall curve with precision made monotone (all points, as VOC 2010 onwards).</summary>
    private static double AveragePrecision(List<(float Score, bool Hit)> ranked, int positives)
    {
        if (positives == 0)
        {
            return double.NaN;
        }

        var precision = new double[ranked.Count];
        var recall = new double[ranked.Count];
        var hits = 0;
        for (var i = 0; i < ranked.Count; i++)
        {
            hits += ranked[i].Hit ? 1 : 0;
            precision[i] = (double)hits / (i + 1);
            recall[i] = (double)hits / positives;
        }

        for (var i = ranked.Count - 2; i >= 0; i--)
        {
            precision[i] = Math.Max(precision[i], precision[i + 1]);
        }

        var area = 0.0;
        var previousRecall = 0.0;
        for (var i = 0; i < ranked.Count; i++)
        {
            area += (recall[i] - previousRecall) * precision[i];
            previousRecall = recall[i];
        }

        return area;
    }
}

/// <summary>One class's result: labelled (non-difficult) objects, detections kept at the score, hits among them, and AP.</summary>
public sealed record ClassScore(string Class, int Labelled, int Detected, int Hits, double AveragePrecision)
{
    public double Precision => Detected == 0 ? 1 : (double)Hits / Detected;

    public double Recall => Labelled == 0 ? 1 : (double)Hits / Labelled;
}
