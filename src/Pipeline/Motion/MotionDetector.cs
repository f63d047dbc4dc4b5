using EdgeVision.Pipeline.Analytics;
using OpenCvSharp;

namespace EdgeVision.Pipeline.Motion;

/// <summary>What <see cref="MotionDetector.Detect"/> saw on a frame.</summary>
public enum MotionState
{
    /// <summary>The first frame (or the first after the frame size changed or time ran backwards): it became the background.</summary>
    Started,

    /// <summary>Nothing moved.</summary>
    Still,

    /// <summary>Something moved; <see cref="MotionDetector.Boxes"/> says where.</summary>
    Moving,

    /// <summary>Too much of the frame changed at once to be motion (lights, exposure, IR switch): the background was taken again.</summary>
    GlobalChange,
}

/// <summary>
/// Finds motion on one camera's frames, on a small grey copy: a running-average background, the difference
/// from it after the frame's change of overall brightness is taken out, a threshold, a dilation that joins the
/// parts of one moving body, and connected components whose bounding boxes, scaled back to the frame, are the
/// motion boxes. Masked pixels never count. Every buffer is made when a frame size is first seen and reused,
/// so a steady stream allocates nothing per frame. Not thread-safe: one camera's frames, in order.
/// </summary>
public sealed class MotionDetector
{
    private const int MaxBoxes = 256;

    // A pixel moves when it differs from the background by more than this many times the frame's median
    // difference (if that is above the configured threshold): on a noisy sensor, at night or with heavy
    // compression, the noise itself would otherwise pass the threshold everywhere. The median ignores the moving
    // minority of pixels, so a busy scene does not raise it.
    private const float NoiseFactor = 5f;

    private readonly MotionOptions _options;
    private readonly List<Rect> _boxes = new(capacity: 64);
    private readonly int[] _differenceHistogram = new int[256];

    private int _sourceWidth;
    private int _sourceHeight;
    private int _width;
    private int _height;
    private int[] _sampleColumnA = [];
    private int[] _sampleColumnB = [];
    private int[] _sampleRowA = [];
    private int[] _sampleRowB = [];
    private byte[] _grey = [];
    private float[] _background = [];
    private byte[] _ignored = [];
    private int _unmasked;
    private byte[] _changed = [];
    private byte[] _spread = [];
    private byte[] _dilated = [];
    private int[] _labels = [];
    private int[] _parent = [];
    private int[] _minX = [];
    private int[] _minY = [];
    private int[] _maxX = [];
    private int[] _maxY = [];
    private int[] _area = [];
    private TimeSpan? _lastTimestamp;
    private float _offset;

    public MotionDetector(MotionOptions options)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        var errors = MotionOptionsValidator.Validate(options, "Motion");
        if (errors.Count > 0)
        {
            throw new ArgumentException("motion options are invalid: " + string.Join("; ", errors), nameof(options));
        }
    }

    /// <summary>Where motion was on the last frame, in the frame's pixels; valid until the next <see cref="Detect"/>.</summary>
    public IReadOnlyList<Rect> Boxes => _boxes;

    /// <summary>Share of the unmasked grey frame that changed on the last frame (0–1).</summary>
    public float ChangedShare { get; private set; }

    /// <summary>The grey-level change a pixel needed to count as moving on the last frame: the threshold, or more on a noisy picture.</summary>
    public float EffectiveThreshold { get; private set; }

    /// <summary>Width and height of the grey copy for the current frame size.</summary>
    public Size GreySize => new(_width, _height);

    /// <summary>Looks at <paramref name="frame"/> (8-bit BGR or grey) taken at <paramref name="timestamp"/> and learns it into the background.</summary>
    public MotionState Detect(Mat frame, TimeSpan timestamp)
    {
        ArgumentNullException.ThrowIfNull(frame);
        if (frame.Empty())
        {
            throw new ArgumentException("frame is empty", nameof(frame));
        }

        var channels = frame.Channels();
        if (frame.Depth() != MatType.CV_8U || channels is not (1 or 3))
        {
            throw new ArgumentException($"frame type {frame.Type()} is not supported: expected 8-bit BGR or grey", nameof(frame));
        }

        _boxes.Clear();
        ChangedShare = 0;
        var restart = frame.Width != _sourceWidth || frame.Height != _sourceHeight || _lastTimestamp is not { } last || timestamp < last;
        var seconds = restart ? 0 : (timestamp - _lastTimestamp!.Value).TotalSeconds;
        _lastTimestamp = timestamp;
        if (frame.Width != _sourceWidth || frame.Height != _sourceHeight)
        {
            Resize(frame.Width, frame.Height);
        }

        Shrink(frame, channels);
        if (restart)
        {
            CopyIntoBackground();
            return MotionState.Started;
        }

        // The whole scene changing at once (lights, exposure, IR) is judged at the configured threshold, before
        // the noise allowance, which such a change would raise as well.
        ChangedShare = MeasureDifference();
        if (ChangedShare > _options.GlobalChangeShare)
        {
            CopyIntoBackground();
            return MotionState.GlobalChange;
        }

        var changed = MarkMoving();
        Learn(1 - Math.Exp(-seconds / _options.BackgroundTime.TotalSeconds));
        if (changed == 0)
        {
            return MotionState.Still;
        }

        Dilate();
        FindBoxes();
        return _boxes.Count > 0 ? MotionState.Moving : MotionState.Still;
    }

    private void Resize(int sourceWidth, int sourceHeight)
    {
        _sourceWidth = sourceWidth;
        _sourceHeight = sourceHeight;
        _height = Math.Min(_options.FrameHeight, sourceHeight);
        _width = Math.Max(1, (int)Math.Round((double)sourceWidth * _height / sourceHeight));
        var pixels = _width * _height;

        // Each grey pixel averages four samples at the quarter points of the source block it covers: cheaper than
        // reading the whole block, and enough smoothing that sensor noise and compression grain do not pass the threshold.
        (_sampleColumnA, _sampleColumnB) = SamplePoints(sourceWidth, _width);
        (_sampleRowA, _sampleRowB) = SamplePoints(sourceHeight, _height);

        _grey = new byte[pixels];
        _background = new float[pixels];
        _changed = new byte[pixels];
        _spread = new byte[pixels];
        _dilated = new byte[pixels];
        _labels = new int[pixels];
        var maxLabels = (pixels / 2) + 2;
        _parent = new int[maxLabels];
        _minX = new int[maxLabels];
        _minY = new int[maxLabels];
        _maxX = new int[maxLabels];
        _maxY = new int[maxLabels];
        _area = new int[maxLabels];
        _ignored = RasterizeMasks();
        _unmasked = pixels - _ignored.Count(b => b != 0);
    }

    /// <summary>For each of <paramref name="length"/> output positions, the source positions a quarter and three quarters through the block it covers.</summary>
    private static (int[] A, int[] B) SamplePoints(int sourceLength, int length)
    {
        var a = new int[length];
        var b = new int[length];
        var span = (double)sourceLength / length;
        for (var i = 0; i < length; i++)
        {
            a[i] = Math.Min(sourceLength - 1, (int)((i * span) + (span * 0.25)));
            b[i] = Math.Min(sourceLength - 1, (int)((i * span) + (span * 0.75)));
        }

        return (a, b);
    }

    private byte[] RasterizeMasks()
    {
        var ignored = new byte[_width * _height];
        if (_options.Masks.Count == 0)
        {
            return ignored;
        }

        using var canvas = new Mat(_height, _width, MatType.CV_8UC1, Scalar.All(0));
        var scaleX = (double)_width / _sourceWidth;
        var scaleY = (double)_height / _sourceHeight;
        foreach (var mask in _options.Masks)
        {
            var normalized = RegionCoordinates.IsNormalized(mask.Normalized, mask.Points);
            var outline = mask.Points
                .Select(p => RegionCoordinates.ToPixels(p, normalized, _sourceWidth, _sourceHeight))
                .Select(p => new Point((int)Math.Round(p.X * scaleX), (int)Math.Round(p.Y * scaleY)))
                .ToArray();
            Cv2.FillPoly(canvas, [outline], Scalar.All(1));
        }

        canvas.GetArray(out byte[] values);
        return values;
    }

    private unsafe void Shrink(Mat frame, int channels)
    {
        var step = frame.Step();
        var data = (byte*)frame.DataPointer;
        fixed (byte* grey = _grey)
        fixed (int* columnA = _sampleColumnA)
        fixed (int* columnB = _sampleColumnB)
        {
            for (var y = 0; y < _height; y++)
            {
                var rowA = data + (_sampleRowA[y] * step);
                var rowB = data + (_sampleRowB[y] * step);
                var output = grey + (y * _width);
                if (channels == 1)
                {
                    for (var x = 0; x < _width; x++)
                    {
                        int a = columnA[x], b = columnB[x];
                        output[x] = (byte)((rowA[a] + rowA[b] + rowB[a] + rowB[b] + 2) >> 2);
                    }

                    continue;
                }

                for (var x = 0; x < _width; x++)
                {
                    var a = columnA[x] * 3;
                    var b = columnB[x] * 3;
                    // BT.601 luma in 8-bit fixed point (0.114, 0.587, 0.299 of B, G, R), four samples summed.
                    var sum = Luma(rowA + a) + Luma(rowA + b) + Luma(rowB + a) + Luma(rowB + b);
                    output[x] = (byte)((sum + 512) >> 10);
                }
            }
        }
    }

    private static unsafe int Luma(byte* bgr) => (bgr[0] * 29) + (bgr[1] * 150) + (bgr[2] * 77);

    private void CopyIntoBackground()
    {
        for (var i = 0; i < _grey.Length; i++)
        {
            _background[i] = _grey[i];
        }
    }

    /// <summary>
    /// Measures each unmasked pixel's difference from the background, after the difference of the means is taken
    /// out (a change of brightness over the whole frame, from auto-exposure or a cloud, is not motion), into a
    /// histogram; returns the share of pixels beyond the configured threshold.
    /// </summary>
    private float MeasureDifference()
    {
        double greySum = 0, backgroundSum = 0;
        for (var i = 0; i < _grey.Length; i++)
        {
            if (_ignored[i] == 0)
            {
                greySum += _grey[i];
                backgroundSum += _background[i];
            }
        }

        _offset = _unmasked == 0 ? 0f : (float)((greySum - backgroundSum) / _unmasked);
        Array.Clear(_differenceHistogram);
        for (var i = 0; i < _grey.Length; i++)
        {
            if (_ignored[i] == 0)
            {
                _differenceHistogram[Math.Min(255, (int)MathF.Abs(_grey[i] - _background[i] - _offset))]++;
            }
        }

        var beyond = 0;
        for (var level = _options.Threshold + 1; level < 256; level++)
        {
            beyond += _differenceHistogram[level];
        }

        return _unmasked == 0 ? 0 : (float)beyond / _unmasked;
    }

    /// <summary>Marks the pixels that differ by more than the threshold, raised on a noisy picture; returns how many.</summary>
    private int MarkMoving()
    {
        var median = 0;
        for (int seen = 0, half = _unmasked / 2; median < 255 && (seen += _differenceHistogram[median]) <= half; median++)
        {
        }

        var threshold = Math.Max(_options.Threshold, NoiseFactor * median);
        EffectiveThreshold = threshold;
        var changed = 0;
        for (var i = 0; i < _grey.Length; i++)
        {
            var moved = _ignored[i] == 0 && MathF.Abs(_grey[i] - _background[i] - _offset) > threshold;
            _changed[i] = moved ? (byte)1 : (byte)0;
            changed += _changed[i];
        }

        return changed;
    }

    private void Learn(double alpha)
    {
        var a = (float)Math.Clamp(alpha, 0, 1);
        for (var i = 0; i < _grey.Length; i++)
        {
            _background[i] += a * (_grey[i] - _background[i]);
        }
    }

    /// <summary>A square maximum filter (separable) that joins the parts of one moving body into one component.</summary>
    private void Dilate()
    {
        var radius = Math.Max(1, _height / 60);
        for (var y = 0; y < _height; y++)
        {
            var row = y * _width;
            for (var x = 0; x < _width; x++)
            {
                byte value = 0;
                var from = Math.Max(0, x - radius);
                var to = Math.Min(_width - 1, x + radius);
                for (var k = from; k <= to && value == 0; k++)
                {
                    value = _changed[row + k];
                }

                _spread[row + x] = value;
            }
        }

        for (var y = 0; y < _height; y++)
        {
            var from = Math.Max(0, y - radius);
            var to = Math.Min(_height - 1, y + radius);
            for (var x = 0; x < _width; x++)
            {
                byte value = 0;
                for (var k = from; k <= to && value == 0; k++)
                {
                    value = _spread[(k * _width) + x];
                }

                _dilated[(y * _width) + x] = value;
            }
        }
    }

    /// <summary>Connected components of the dilated mask (two passes, union–find); a box for each whose changed pixels reach the least area.</summary>
    private void FindBoxes()
    {
        var next = 1;
        for (var y = 0; y < _height; y++)
        {
            for (var x = 0; x < _width; x++)
            {
                var i = (y * _width) + x;
                if (_dilated[i] == 0)
                {
                    _labels[i] = 0;
                    continue;
                }

                var left = x > 0 ? _labels[i - 1] : 0;
                var up = y > 0 ? _labels[i - _width] : 0;
                if (left == 0 && up == 0)
                {
                    _parent[next] = next;
                    _labels[i] = next++;
                }
                else if (left != 0 && up != 0)
                {
                    var a = Find(left);
                    var b = Find(up);
                    var root = Math.Min(a, b);
                    _parent[Math.Max(a, b)] = root;
                    _labels[i] = root;
                }
                else
                {
                    _labels[i] = left | up;
                }
            }
        }

        for (var label = 1; label < next; label++)
        {
            _minX[label] = int.MaxValue;
            _minY[label] = int.MaxValue;
            _maxX[label] = -1;
            _maxY[label] = -1;
            _area[label] = 0;
        }

        for (var y = 0; y < _height; y++)
        {
            for (var x = 0; x < _width; x++)
            {
                var i = (y * _width) + x;
                if (_labels[i] == 0)
                {
                    continue;
                }

                var root = Find(_labels[i]);
                _minX[root] = Math.Min(_minX[root], x);
                _minY[root] = Math.Min(_minY[root], y);
                _maxX[root] = Math.Max(_maxX[root], x);
                _maxY[root] = Math.Max(_maxY[root], y);
                _area[root] += _changed[i];
            }
        }

        var minArea = _options.MinArea <= 1
            ? _options.MinArea * _width * _height
            : _options.MinArea * _width * _height / ((float)_sourceWidth * _sourceHeight);
        var scaleX = (double)_sourceWidth / _width;
        var scaleY = (double)_sourceHeight / _height;
        for (var label = 1; label < next && _boxes.Count < MaxBoxes; label++)
        {
            if (_maxX[label] < 0 || _area[label] < Math.Max(1f, minArea))
            {
                continue;
            }

            var x1 = (int)Math.Floor(_minX[label] * scaleX);
            var y1 = (int)Math.Floor(_minY[label] * scaleY);
            var x2 = Math.Min(_sourceWidth, (int)Math.Ceiling((_maxX[label] + 1) * scaleX));
            var y2 = Math.Min(_sourceHeight, (int)Math.Ceiling((_maxY[label] + 1) * scaleY));
            _boxes.Add(new Rect(x1, y1, x2 - x1, y2 - y1));
        }
    }

    private int Find(int label)
    {
        while (_parent[label] != label)
        {
            _parent[label] = _parent[_parent[label]];
            label = _parent[label];
        }

        return label;
    }
}
