namespace EdgeVision.Models;

/// <summary>How an <see cref="OnnxDetector"/> runs its model and which detections it keeps.</summary>
public sealed class DetectorOptions
{
    /// <summary>
    /// Tried in order; one that cannot load is skipped with a warning. ONNX Runtime places each node on the
    /// first provider that supports it, so TensorRT before CUDA lets CUDA take what TensorRT cannot.
    /// </summary>
    public string[] ExecutionProviders { get; set; } = [ExecutionProvider.TensorRt, ExecutionProvider.Cuda, ExecutionProvider.Cpu];

    public TensorRtOptions TensorRt { get; set; } = new();

    public int CudaDeviceId { get; set; }

    /// <summary>
    /// How the agent places inference and capture on the CPUs: <c>auto</c> (the default) chooses
    /// <see cref="IntraOpThreads"/>, <see cref="Cpus"/> and each camera's capture CPUs from the CPUs the process
    /// may use; <c>manual</c> takes them as configured. The detector itself only reads the values.
    /// </summary>
    public string Placement { get; set; } = AutoPlacement;

    public const string AutoPlacement = "auto";

    public const string ManualPlacement = "manual";

    /// <summary>A copy that can be changed without touching these options (the configuration's bound object, say).</summary>
    public DetectorOptions Copy()
    {
        var copy = (DetectorOptions)MemberwiseClone();
        copy.ExecutionProviders = [.. ExecutionProviders];
        copy.Cpus = [.. Cpus];
        copy.ClassScoreThresholds = new Dictionary<string, float>(ClassScoreThresholds, StringComparer.Ordinal);
        copy.NmsLabelGroups = [.. NmsLabelGroups.Select(g => (string[])g.Clone())];
        return copy;
    }

    /// <summary>Threads for one operator on the CPU provider.</summary>
    public int IntraOpThreads { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// CPUs inference runs on (numbers as in /proc/cpuinfo); empty leaves placement to the kernel. The thread
    /// that calls the session is moved onto them for each run and ONNX Runtime's extra intra-op threads are
    /// created on them. Give capture the other CPUs (<c>CaptureCpus</c> of each camera) and decoding can no
    /// longer preempt inference: on a 2-core machine, one CPU each with <see cref="IntraOpThreads"/> 1.
    /// </summary>
    public int[] Cpus { get; set; } = [];

    /// <summary>
    /// Let ONNX Runtime's intra-op threads spin between operators instead of sleeping: a little lower latency
    /// for one model alone on the machine, but the spinning takes CPU from capture and preprocessing.
    /// </summary>
    public bool AllowSpinning { get; set; }

    /// <summary>Images per inference call; the input and output buffers are sized for it once.</summary>
    public int MaxBatchSize { get; set; } = 4;

    /// <summary>Minimum score of a detection, for every class without its own threshold.</summary>
    public float ScoreThreshold { get; set; } = 0.35f;

    /// <summary>Per-class minimum scores by label (e.g. "person": 0.5), overriding <see cref="ScoreThreshold"/>.</summary>
    public Dictionary<string, float> ClassScoreThresholds { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Two boxes of one class overlapping more than this are the same object.</summary>
    public float NmsIouThreshold { get; set; } = 0.6f;

    /// <summary>At most this many detections per image, the highest scores.</summary>
    public int MaxDetections { get; set; } = 100;

    /// <summary>
    /// Groups of labels that are one kind of object to NMS (e.g. ["car", "truck", "bus"]): of two overlapping boxes
    /// with labels in one group only the better scored is kept, under its own label. COCO detectors score a van
    /// as both a car and a truck; without a group it is reported, tracked and counted twice. A group naming none of
    /// the model's labels is ignored.
    /// </summary>
    public List<string[]> NmsLabelGroups { get; set; } = [];

    /// <summary>Every problem with the options, each naming the option; empty when valid.</summary>
    public IReadOnlyList<string> Validate(IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var errors = new List<string>();
        if (ExecutionProviders is not { Length: > 0 })
        {
            errors.Add("ExecutionProviders: list at least one of " + string.Join(", ", ExecutionProvider.All));
        }
        else
        {
            foreach (var provider in ExecutionProviders.Where(p => !ExecutionProvider.All.Contains(p)))
            {
                errors.Add($"ExecutionProviders: unknown provider '{provider}' (known: {string.Join(", ", ExecutionProvider.All)})");
            }
        }

        if (Placement is not (AutoPlacement or ManualPlacement))
        {
            errors.Add($"Placement: must be '{AutoPlacement}' or '{ManualPlacement}', found '{Placement}'");
        }

        if (IntraOpThreads < 1)
        {
            errors.Add($"IntraOpThreads: must be at least 1, found {IntraOpThreads}");
        }

        foreach (var error in CpuAffinity.Check(Cpus))
        {
            errors.Add($"Cpus: {error}");
        }

        if (MaxBatchSize < 1)
        {
            errors.Add($"MaxBatchSize: must be at least 1, found {MaxBatchSize}");
        }

        if (!IsProbability(ScoreThreshold))
        {
            errors.Add($"ScoreThreshold: must lie in [0, 1], found {ScoreThreshold}");
        }

        foreach (var (label, threshold) in ClassScoreThresholds)
        {
            if (!labels.Contains(label))
            {
                errors.Add($"ClassScoreThresholds: '{label}' is not a label of this model");
            }
            else if (!IsProbability(threshold))
            {
                errors.Add($"ClassScoreThresholds:{label}: must lie in [0, 1], found {threshold}");
            }
        }

        if (!IsProbability(NmsIouThreshold))
        {
            errors.Add($"NmsIouThreshold: must lie in [0, 1], found {NmsIouThreshold}");
        }

        if (MaxDetections < 1)
        {
            errors.Add($"MaxDetections: must be at least 1, found {MaxDetections}");
        }

        // A group none of whose labels the model has was written for another model (the default configuration's
        // vehicles, say, under a model of livestock) and does nothing; a group the model knows only in part is
        // more likely a typing error, and is refused.
        var grouped = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var g = 0; g < NmsLabelGroups.Count; g++)
        {
            var group = NmsLabelGroups[g] ?? [];
            if (group.Length < 2)
            {
                errors.Add($"NmsLabelGroups:{g}: a group needs at least 2 labels, found {group.Length}");
            }

            if (!group.Any(labels.Contains))
            {
                continue;
            }

            for (var i = 0; i < group.Length; i++)
            {
                if (!labels.Contains(group[i]))
                {
                    errors.Add($"NmsLabelGroups:{g}:{i}: '{group[i]}' is not a label of this model (its other labels are)");
                }
                else if (grouped.TryGetValue(group[i], out var earlier) && earlier != g)
                {
                    errors.Add($"NmsLabelGroups:{g}:{i}: '{group[i]}' is already in group {earlier}; a label can be in one group");
                }
                else
                {
                    grouped[group[i]] = g;
                }
            }
        }

        return errors;
    }

    private static bool IsProbability(float value) => value >= 0f && value <= 1f;
}
