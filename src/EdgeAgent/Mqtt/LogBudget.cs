using System.Diagnostics;

namespace EdgeVision.EdgeAgent.Mqtt;

/// <summary>
/// At most <c>linesPerWindow</c> log lines per window for one kind of message, so that a flood of bad input
/// (anyone who can publish to the broker can send it) cannot fill the disk. What is held back is counted and
/// reported once when the next window opens.
/// </summary>
internal sealed class LogBudget
{
    private readonly int _linesPerWindow;
    private readonly long _windowTicks;
    private readonly Lock _gate = new();
    private long _windowStart = Stopwatch.GetTimestamp();
    private int _used;
    private long _held;

    public LogBudget(int linesPerWindow, TimeSpan window)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(linesPerWindow);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(window, TimeSpan.Zero);
        _linesPerWindow = linesPerWindow;
        _windowTicks = (long)(window.TotalSeconds * Stopwatch.Frequency);
        Window = window;
    }

    public TimeSpan Window { get; }

    /// <summary>
    /// True when a line may be written now. <paramref name="heldBack"/> is how many lines the previous window
    /// held back, reported once, on the first call of a new window; zero otherwise.
    /// </summary>
    public bool TryTake(out long heldBack)
    {
        lock (_gate)
        {
            heldBack = 0;
            var now = Stopwatch.GetTimestamp();
            if (now - _windowStart >= _windowTicks)
            {
                heldBack = _held;
                _held = 0;
                _used = 0;
                _windowStart = now;
            }

            if (_used < _linesPerWindow)
            {
                _used++;
                return true;
            }

            _held++;
            return false;
        }
    }
}
