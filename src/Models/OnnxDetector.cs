using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using OpenCvSharp;

namespace EdgeVision.Models;

/// <summary>
/// Runs a detection model with ONNX Runtime: letterbox into a batch tensor, inference, decode, NMS.
/// The input tensor and every output are arrays allocated once for <see cref="MaxBatchSize"/> images and
/// handed to ONNX Runtime as tensors over that memory, so a steady stream of frames allocates only the
/// returned detections. The stages are public as well (<see cref="PrepareSlot"/>, <see cref="RunBatch"/>,
/// <see cref="DecodeSlot"/>) so that a pipeline can batch across cameras and a benchmark can time each.
/// An instance is not thread-safe: one thread (one pipeline stage) drives it at a time.
/// </summary>
public sealed partial class OnnxDetector : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly LetterboxResizer _resizer;
    private readonly IDetectionDecoder _decoder;
    private readonly NonMaxSuppression _nonMaxSuppression;
    private readonly int _maxDetections;
    private readonly float[] _classScoreThresholds;
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    // The input tensor's memory: float, or uint8 for a model that takes bytes (one of the two is null).
    private readonly float[]? _floatInput;
    private readonly byte[]? _byteInput;
    private readonly float[][] _outputs;

    // Tensors over the first n slots of the buffers, one set per batch size n, made on first use.
    private readonly OrtValue[]?[] _inputValuesByBatchSize;
    private readonly OrtValue[]?[] _outputValuesByBatchSize;

    private readonly ReadOnlyMemory<float>[] _slotOutputs;
    private readonly LetterboxTransform[] _batchTransforms;
    private readonly List<Detection> _candidates = new(capacity: 512);
    private readonly List<Detection> _kept;

    // With DetectorOptions.Cpus: the set the calling thread runs inference on, and where its own set is kept meanwhile.
    private readonly ulong[]? _inferenceCpus;
    private readonly ulong[] _callerCpus = new ulong[CpuAffinity.MaskWords];
    private int _lastBatchSize;
    private bool _disposed;

    private OnnxDetector(InferenceSession session, ModelPackage model, IDetectionDecoder decoder, DetectorOptions options, string activeProvider)
    {
        _session = session;
        _decoder = decoder;
        Model = model;
        ActiveProvider = activeProvider;

        var input = model.Manifest.Input!;
        InputWidth = input.Width!.Value;
        InputHeight = input.Height!.Value;
        MaxBatchSize = CheckInput(session, model, options.MaxBatchSize);
        CheckOutputs(session, model, decoder);

        _resizer = LetterboxResizer.For(input);

        ClassGroups = NonMaxSuppression.GroupsOf(model.Labels, options.NmsLabelGroups);
        _nonMaxSuppression = new NonMaxSuppression(options.NmsIouThreshold, options.MaxDetections, ClassGroups);
        _maxDetections = options.MaxDetections;
        _kept = new List<Detection>(options.MaxDetections);
        _classScoreThresholds = model.Labels
            .Select(label => options.ClassScoreThresholds.TryGetValue(label, out var threshold) ? threshold : options.ScoreThreshold)
            .ToArray();

        _inputNames = [input.Name!];
        _outputNames = decoder.Outputs.Select(output => output.Name).ToArray();
        if (input.IsUInt8)
        {
            _byteInput = new byte[MaxBatchSize * _resizer.SlotLength];
        }
        else
        {
            _floatInput = new float[MaxBatchSize * _resizer.SlotLength];
        }
        _outputs = decoder.Outputs.Select(output => new float[MaxBatchSize * output.ItemLength]).ToArray();
        _inputValuesByBatchSize = new OrtValue[]?[MaxBatchSize];
        _outputValuesByBatchSize = new OrtValue[]?[MaxBatchSize];
        _slotOutputs = new ReadOnlyMemory<float>[_outputs.Length];
        _batchTransforms = new LetterboxTransform[MaxBatchSize];
        if (options.Cpus is { Length: > 0 } cpus)
        {
            _inferenceCpus = new ulong[CpuAffinity.MaskWords];
            CpuAffinity.ToMask(cpus, _inferenceCpus);
        }
    }

    public ModelPackage Model { get; }

    /// <summary>The execution provider the session prefers: "TensorRT", "CUDA" or "CPU".</summary>
    public string ActiveProvider { get; }

    public int MaxBatchSize { get; }

    public int InputWidth { get; }

    public int InputHeight { get; }

    public IReadOnlyList<string> Labels => Model.Labels;

    /// <summary>Per class id, the class NMS suppresses it with (its own id unless <see cref="DetectorOptions.NmsLabelGroups"/> groups it).</summary>
    public int[] ClassGroups { get; }

    /// <summary>
    /// Opens an inference session for <paramref name="model"/>. Each requested execution provider that
    /// cannot be loaded on this machine is skipped with one warning naming it and the reason.
    /// </summary>
    public static OnnxDetector Create(ModelPackage model, DetectorOptions? options = null, ILogger? logger = null) =>
        Create(model, options, logger, nvidiaDriverPresent: null);

    /// <summary>A detector whose session records ONNX Runtime's per-operator profile until <see cref="EndProfiling"/>.</summary>
    /// <param name="profilePrefix">Path prefix of the trace file ONNX Runtime writes.</param>
    public static OnnxDetector CreateProfiled(ModelPackage model, DetectorOptions options, string profilePrefix) =>
        Create(model, options, null, nvidiaDriverPresent: null, profilePrefix ?? throw new ArgumentNullException(nameof(profilePrefix)));

    /// <param name="nvidiaDriverPresent">Stands in for the driver check (<see cref="NvidiaDriver.IsPresent"/> when null).</param>
    internal static OnnxDetector Create(ModelPackage model, DetectorOptions? options, ILogger? logger, Func<bool>? nvidiaDriverPresent, string? profilePrefix = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new DetectorOptions();
        logger ??= NullLogger.Instance;
        var errors = options.Validate(model.Labels);
        if (errors.Count > 0)
        {
            throw new DetectorOptionsException($"detector options are invalid: {string.Join("; ", errors)}");
        }

        var decoder = DetectionDecoderFactory.Create(model);
        var session = ExecutionProviderSelection.CreateSession(model.ModelPath, options, logger, out var activeProvider, nvidiaDriverPresent, profilePrefix);
        try
        {
            return new OnnxDetector(session, model, decoder, options, activeProvider);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Letterboxes <paramref name="image"/> into batch slot <paramref name="slot"/> of the input tensor.</summary>
    public LetterboxTransform PrepareSlot(int slot, Mat image)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(slot);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(slot, MaxBatchSize);
        var length = _resizer.SlotLength;
        return _byteInput is not null
            ? _resizer.Write(image, _byteInput.AsSpan(slot * length, length))
            : _resizer.Write(image, _floatInput.AsSpan(slot * length, length));
    }

    /// <summary>Runs the model on slots 0 … <paramref name="batchSize"/> − 1 as prepared.</summary>
    public void RunBatch(int batchSize)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batchSize, MaxBatchSize);
        var inputs = _inputValuesByBatchSize[batchSize - 1] ??= [CreateInputValue(batchSize)];
        var outputs = _outputValuesByBatchSize[batchSize - 1] ??= CreateOutputValues(batchSize);
        _lastBatchSize = 0;
        var pinned = _inferenceCpus is not null && CpuAffinity.TryGet(_callerCpus) && CpuAffinity.TrySet(_inferenceCpus);
        try
        {
            _session.Run(_runOptions, _inputNames, inputs, _outputNames, outputs);
        }
        finally
        {
            if (pinned)
            {
                CpuAffinity.TrySet(_callerCpus);
            }
        }

        _lastBatchSize = batchSize;
    }

    /// <summary>
    /// Replaces the contents of <paramref name="detections"/> with the detections of slot
    /// <paramref name="slot"/> of the last batch, highest score first, in source pixels.
    /// </summary>
    public void DecodeSlot(int slot, in LetterboxTransform transform, List<Detection> detections)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(detections);
        if (slot < 0 || slot >= _lastBatchSize)
        {
            throw new InvalidOperationException($"slot {slot} was not part of the last batch ({_lastBatchSize} images)");
        }

        for (var i = 0; i < _outputs.Length; i++)
        {
            var itemLength = _decoder.Outputs[i].ItemLength;
            _slotOutputs[i] = new ReadOnlyMemory<float>(_outputs[i], slot * itemLength, itemLength);
        }

        _candidates.Clear();
        _decoder.Decode(_slotOutputs, transform, _classScoreThresholds, _candidates);
        if (_decoder.SkipsNonMaxSuppression && _nonMaxSuppression.HasGroups)
        {
            // The model chose its boxes; only label groups (a van as both car and truck) still join classes.
            _nonMaxSuppression.ApplyAcrossClasses(CollectionsMarshal.AsSpan(_candidates), detections);
            return;
        }

        if (_decoder.SkipsNonMaxSuppression)
        {
            // The model chose its boxes: keep them, best first, up to the cap.
            _candidates.Sort(static (a, b) => b.Score.CompareTo(a.Score));
            detections.Clear();
            detections.AddRange(CollectionsMarshal.AsSpan(_candidates)[..Math.Min(_candidates.Count, _maxDetections)]);
            return;
        }

        _nonMaxSuppression.Apply(CollectionsMarshal.AsSpan(_candidates), detections);
    }

    /// <summary>Stops the profiler of a detector made with <see cref="CreateProfiled"/> and returns the path of its trace (Chrome trace JSON).</summary>
    public string EndProfiling()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _session.EndProfiling();
    }

    /// <summary>Detects objects in one image; the returned array belongs to the caller.</summary>
    public Detection[] Detect(Mat image)
    {
        var transform = PrepareSlot(0, image);
        RunBatch(1);
        DecodeSlot(0, transform, _kept);
        return _kept.ToArray();
    }

    /// <summary>Detects objects in each image, <see cref="MaxBatchSize"/> at a time; one array per image, in order.</summary>
    public Detection[][] DetectBatch(IReadOnlyList<Mat> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var results = new Detection[images.Count][];
        for (var start = 0; start < images.Count; start += MaxBatchSize)
        {
            var batchSize = Math.Min(MaxBatchSize, images.Count - start);
            for (var slot = 0; slot < batchSize; slot++)
            {
                _batchTransforms[slot] = PrepareSlot(slot, images[start + slot]);
            }

            RunBatch(batchSize);
            for (var slot = 0; slot < batchSize; slot++)
            {
                DecodeSlot(slot, _batchTransforms[slot], _kept);
                results[start + slot] = _kept.ToArray();
            }
        }

        return results;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var values in _inputValuesByBatchSize.Concat(_outputValuesByBatchSize))
        {
            foreach (var value in values ?? [])
            {
                value.Dispose();
            }
        }

        _runOptions.Dispose();
        _session.Dispose();
        _resizer.Dispose();
    }

    private OrtValue CreateInputValue(int batchSize)
    {
        var length = batchSize * _resizer.SlotLength;
        long[] shape = [batchSize, .. Model.Manifest.Input!.ItemShape().Select(d => (long)d)];
        return _byteInput is not null
            ? OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _byteInput.AsMemory(0, length), shape)
            : OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _floatInput.AsMemory(0, length), shape);
    }

    private OrtValue[] CreateOutputValues(int batchSize)
    {
        var values = new OrtValue[_outputs.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var output = _decoder.Outputs[i];
            long[] shape = [batchSize, .. output.ItemShape.Select(dimension => (long)dimension)];
            values[i] = OrtValue.CreateTensorValueFromMemory(
                OrtMemoryInfo.DefaultInstance,
                _outputs[i].AsMemory(0, batchSize * output.ItemLength),
                shape);
        }

        return values;
    }

    /// <summary>Checks the graph's input against the manifest and returns the batch size to allocate for.</summary>
    private static int CheckInput(InferenceSession session, ModelPackage model, int requestedMaxBatchSize)
    {
        var input = model.Manifest.Input!;
        if (!session.InputMetadata.TryGetValue(input.Name!, out var metadata))
        {
            throw new ModelException(
                $"model file {model.ModelPath} has no input '{input.Name}' (input.name); its inputs: {string.Join(", ", session.InputMetadata.Keys)}");
        }

        var dimensions = metadata.Dimensions;
        int[] expected = [-1, .. input.ItemShape()];
        if (dimensions.Length != 4 || Enumerable.Range(1, 3).Any(i => dimensions[i] > 0 && dimensions[i] != expected[i]))
        {
            var layout = input.BlockSize > 1 ? " (NHWC, 2×2 blocks)" : input.TensorLayout == TensorLayout.Nhwc ? " (NHWC)" : string.Empty;
            throw new ModelException(
                $"model file {model.ModelPath}: input '{input.Name}' has shape [{string.Join(",", dimensions)}], the manifest says [N,{string.Join(",", expected[1..])}]{layout}");
        }

        var expectedType = input.IsUInt8 ? TensorElementType.UInt8 : TensorElementType.Float;
        if (metadata.ElementDataType != expectedType)
        {
            throw new ModelException(
                $"model file {model.ModelPath}: input '{input.Name}' is {metadata.ElementDataType}, the manifest says {(input.IsUInt8 ? "uint8" : "float32")} (input.element_type)");
        }

        // A symbolic batch dimension takes any batch; a fixed one of 1 only single images.
        return dimensions[0] switch
        {
            <= 0 => requestedMaxBatchSize,
            1 => 1,
            _ => throw new ModelException(
                $"model file {model.ModelPath}: a fixed batch size of {dimensions[0]} is not supported; export it with a symbolic or unit batch"),
        };
    }

    private static void CheckOutputs(InferenceSession session, ModelPackage model, IDetectionDecoder decoder)
    {
        foreach (var output in decoder.Outputs)
        {
            if (!session.OutputMetadata.TryGetValue(output.Name, out var metadata))
            {
                throw new ModelException(
                    $"model file {model.ModelPath} has no output '{output.Name}' named in decoder.outputs; its outputs: {string.Join(", ", session.OutputMetadata.Keys)}");
            }

            if (metadata.ElementDataType != TensorElementType.Float)
            {
                throw new ModelException(
                    $"model file {model.ModelPath}: output '{output.Name}' is {metadata.ElementDataType}; the decoder reads float32 (export the model in float32, not half)");
            }

            var dimensions = metadata.Dimensions;
            var matches = dimensions.Length == output.ItemShape.Count + 1
                && output.ItemShape.Select((size, i) => dimensions[i + 1] <= 0 || dimensions[i + 1] == size).All(ok => ok);
            if (!matches)
            {
                throw new ModelException(
                    $"model file {model.ModelPath}: output '{output.Name}' has shape [{string.Join(",", dimensions)}], the decoder expects [N,{string.Join(",", output.ItemShape)}]");
            }
        }
    }
}
