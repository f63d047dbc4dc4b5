using System.Runtime.InteropServices;

namespace EdgeVision.Models;

/// <summary>
/// Class-aware greedy non-maximum suppression: candidates are taken by descending score and a candidate
/// is dropped when it overlaps an already kept box of the same class (or of a class in the same group) by more
/// than the IoU threshold. The sort buffers belong to the instance and are reused, so it is not safe to share
/// between threads.
/// </summary>
public sealed class NonMaxSuppression
{
    private readonly int[] _groupOfClass;
    private float[] _sortKeys = new float[256];
    private int[] _order = new int[256];

    /// <param name="groupOfClass">
    /// Per class id, the group it is suppressed in: classes of one group count as one class here, so the better
    /// scored of a van seen as both "car" and "truck" is kept. Null or shorter than a class id: every class alone.
    /// </param>
    public NonMaxSuppression(float iouThreshold, int maxDetections, int[]? groupOfClass = null)
    {
        if (!(iouThreshold >= 0f && iouThreshold <= 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(iouThreshold), iouThreshold, "IoU threshold must lie in [0, 1]");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxDetections);
        IouThreshold = iouThreshold;
        MaxDetections = maxDetections;
        _groupOfClass = groupOfClass ?? [];
        HasGroups = _groupOfClass.Where((group, classId) => group != classId).Any();
    }

    /// <summary>
    /// Per class id, its group for <see cref="NonMaxSuppression(float, int, int[])"/>: the class's own id, or for
    /// a class named in one of <paramref name="groups"/> the id of that group's first label. Unknown labels are
    /// left out (the options' validation names them).
    /// </summary>
    public static int[] GroupsOf(IReadOnlyList<string> labels, IEnumerable<IReadOnlyList<string>> groups)
    {
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(groups);
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = labels.Count - 1; i >= 0; i--)
        {
            index[labels[i]] = i;
        }

        var group = Enumerable.Range(0, labels.Count).ToArray();
        foreach (var members in groups)
        {
            var ids = (members ?? []).Where(m => m is not null && index.ContainsKey(m)).Select(m => index[m]).ToList();
            foreach (var id in ids)
            {
                group[id] = ids[0];
            }
        }

        return group;
    }

    public float IouThreshold { get; }

    public int MaxDetections { get; }

    /// <summary>Returns a new array of the kept detections, highest score first.</summary>
    public Detection[] Apply(ReadOnlySpan<Detection> candidates)
    {
        var kept = new List<Detection>(Math.Min(candidates.Length, MaxDetections));
        Apply(candidates, kept);
        return kept.ToArray();
    }

    /// <summary>
    /// Replaces the contents of <paramref name="kept"/> with the kept detections, highest score first.
    /// The caller owns the list; nothing here holds on to it.
    /// </summary>
    public void Apply(ReadOnlySpan<Detection> candidates, List<Detection> kept) => Run(candidates, kept, acrossClassesOnly: false);

    /// <summary>
    /// For a model that chose its boxes itself (an end-to-end export): keeps every candidate, best first, up to
    /// <see cref="MaxDetections"/>, except one that overlaps a better box of <em>another</em> class of its group (a
    /// van the model calls both "car" and "truck"). Overlapping boxes of one class are the model's choice and stay.
    /// </summary>
    public void ApplyAcrossClasses(ReadOnlySpan<Detection> candidates, List<Detection> kept) => Run(candidates, kept, acrossClassesOnly: true);

    /// <summary>Whether any class is grouped with another, i.e. whether <see cref="ApplyAcrossClasses"/> can remove anything.</summary>
    public bool HasGroups { get; }

    private void Run(ReadOnlySpan<Detection> candidates, List<Detection> kept, bool acrossClassesOnly)
    {
        ArgumentNullException.ThrowIfNull(kept);
        kept.Clear();
        var count = candidates.Length;
        if (count == 0)
        {
            return;
        }

        EnsureCapacity(count);
        for (var i = 0; i < count; i++)
        {
            // Negated so that the ascending sort yields descending scores.
            _sortKeys[i] = -candidates[i].Score;
            _order[i] = i;
        }

        Array.Sort(_sortKeys, _order, 0, count);

        for (var rank = 0; rank < count && kept.Count < MaxDetections; rank++)
        {
            var candidate = candidates[_order[rank]];
            if (!OverlapsKeptOfItsGroup(candidate, CollectionsMarshal.AsSpan(kept), acrossClassesOnly))
            {
                kept.Add(candidate);
            }
        }
    }

    /// <summary>Intersection over union of two boxes; 0 when either has no area.</summary>
    public static float IntersectionOverUnion(in Detection a, in Detection b)
    {
        var width = MathF.Min(a.X2, b.X2) - MathF.Max(a.X1, b.X1);
        var height = MathF.Min(a.Y2, b.Y2) - MathF.Max(a.Y1, b.Y1);
        if (width <= 0f || height <= 0f)
        {
            return 0f;
        }

        var intersection = width * height;
        var union = a.Area + b.Area - intersection;
        return union > 0f ? intersection / union : 0f;
    }

    private bool OverlapsKeptOfItsGroup(in Detection candidate, ReadOnlySpan<Detection> kept, bool acrossClassesOnly)
    {
        foreach (ref readonly var other in kept)
        {
            if ((!acrossClassesOnly || other.ClassId != candidate.ClassId)
                && SameGroup(_groupOfClass, other.ClassId, candidate.ClassId)
                && IntersectionOverUnion(candidate, other) > IouThreshold)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether two classes are suppressed together under <paramref name="groupOfClass"/> (from <see cref="GroupsOf"/>):
    /// the same class, or classes of one group. A class id beyond the table stands alone.
    /// </summary>
    public static bool SameGroup(ReadOnlySpan<int> groupOfClass, int a, int b) =>
        a == b || GroupOf(groupOfClass, a) == GroupOf(groupOfClass, b);

    private static int GroupOf(ReadOnlySpan<int> groupOfClass, int classId) =>
        (uint)classId < (uint)groupOfClass.Length ? groupOfClass[classId] : classId;

    private void EnsureCapacity(int count)
    {
        if (_sortKeys.Length >= count)
        {
            return;
        }

        var capacity = Math.Max(count, _sortKeys.Length * 2);
        _sortKeys = new float[capacity];
        _order = new int[capacity];
    }
}
