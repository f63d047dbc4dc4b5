using EdgeVision.Models;

namespace EdgeVision.ModelTools.Evaluation;

/// <summary>How well one set of detections reproduces a reference set, counted over many frames.</summary>
public sealed record AgreementResult(int Frames, int ReferenceCount, int CandidateCount, int Matched)
{
    public double Precision => CandidateCount == 0 ? 1 : (double)Matched / CandidateCount;

    public double Recall => ReferenceCount == 0 ? 1 : (double)Matched / ReferenceCount;

    public double F1 => ReferenceCount + CandidateCount == 0 ? 1 : 2.0 * Matched / (ReferenceCount + CandidateCount);

    public AgreementResult Add(AgreementResult other) => new(
        Frames + other.Frames,
        ReferenceCount + other.ReferenceCount,
        CandidateCount + other.CandidateCount,
        Matched + other.Matched);

    public override string ToString() => FormattableString.Invariant(
        $"{Frames} frames: {ReferenceCount} reference, {CandidateCount} candidate, {Matched} matched; precision {Precision:F3}, recall {Recall:F3}, F1 {F1:F3}");
}

/// <summary>
/// Matches detections one-to-one against a reference: same class, IoU at or above a threshold, the
/// highest-scoring candidates claiming their best free reference box first.
/// </summary>
public static class DetectionAgreement
{
    public static AgreementResult Compare(IReadOnlyList<Detection> reference, IReadOnlyList<Detection> candidate, float minScore, float minIou)
    {
        var refs = reference.Where(d => d.Score >= minScore).ToList();
        var cands = candidate.Where(d => d.Score >= minScore).OrderByDescending(d => d.Score).ToList();
        var taken = new bool[refs.Count];
        var matched = 0;
        foreach (var c in cands)
        {
            var best = -1;
            var bestIou = minIou;
            for (var i = 0; i < refs.Count; i++)
            {
                if (taken[i] || refs[i].ClassId != c.ClassId)
                {
                    continue;
                }

                var iou = NonMaxSuppression.IntersectionOverUnion(refs[i], c);
                if (iou >= bestIou)
                {
                    best = i;
                    bestIou = iou;
                }
            }

            if (best >= 0)
            {
                taken[best] = true;
                matched++;
            }
        }

        return new AgreementResult(1, refs.Count, cands.Count, matched);
    }
}
