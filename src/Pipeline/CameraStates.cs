using System.Collections.Concurrent;

namespace EdgeVision.Pipeline;

/// <summary>A camera went online (frames flow after an open) or offline (cannot open, stalled, ended, reconnecting).</summary>
public sealed class CameraStatusChangedEventArgs(string camera, bool online) : EventArgs
{
    public string Camera { get; } = camera;

    public bool Online { get; } = online;
}

/// <summary>
/// What the outside world sees of each camera and may switch: whether it is online (reported by its source
/// through <see cref="CameraCounters"/>), and whether detection runs on it. The agent creates one for its
/// lifetime and hands it to the pipeline, so that a command received before the pipeline has started (the
/// model is still loading) is not lost, and so that status listeners need not know when the pipeline exists.
/// A paused camera keeps capturing: its frames are counted as skipped, and its status keeps telling whether
/// the camera itself works.
/// </summary>
public sealed class CameraStates
{
    private readonly ConcurrentDictionary<string, State> _states = new(StringComparer.Ordinal);

    /// <param name="cameras">Cameras known from the start: offline and detecting until told otherwise.</param>
    public CameraStates(IEnumerable<string>? cameras = null)
    {
        foreach (var camera in cameras ?? [])
        {
            _states.TryAdd(camera, new State());
        }
    }

    /// <summary>Raised on the thread that saw the change (a capture thread); handlers must return quickly.</summary>
    public event EventHandler<CameraStatusChangedEventArgs>? StatusChanged;

    /// <summary>Raised when motion starts or ends on a camera with motion detection (the preprocessing thread); handlers must return quickly.</summary>
    public event EventHandler<CameraStatusChangedEventArgs>? MotionChanged;

    /// <summary>True while motion is seen, false when still, null for a camera without motion detection or before its first frame.</summary>
    public bool? IsMoving(string camera) => _states.TryGetValue(camera, out var state) ? state.Moving : null;

    /// <summary>Records whether the camera sees motion and raises <see cref="MotionChanged"/> (its <c>Online</c> carries the value) if it changed.</summary>
    public void SetMoving(string camera, bool moving)
    {
        var state = _states.GetOrAdd(camera, _ => new State());
        bool changed;
        lock (state)
        {
            changed = state.Moving != moving;
            state.Moving = moving;
        }

        if (changed)
        {
            MotionChanged?.Invoke(this, new CameraStatusChangedEventArgs(camera, moving));
        }
    }

    /// <summary>The cameras known so far, in name order.</summary>
    public IReadOnlyList<string> Cameras => [.. _states.Keys.Order(StringComparer.Ordinal)];

    public bool Contains(string camera) => _states.ContainsKey(camera);

    public bool IsOnline(string camera) => _states.TryGetValue(camera, out var state) && state.Online;

    /// <summary>True unless detection on <paramref name="camera"/> was paused; unknown cameras detect.</summary>
    public bool IsDetecting(string camera) => !_states.TryGetValue(camera, out var state) || !state.Paused;

    /// <summary>Pauses or resumes detection; returns false for a camera that is not known.</summary>
    public bool SetDetecting(string camera, bool detecting)
    {
        if (!_states.TryGetValue(camera, out var state))
        {
            return false;
        }

        state.Paused = !detecting;
        return true;
    }

    /// <summary>Adds <paramref name="camera"/> (offline, detecting) if it is not known yet.</summary>
    public void Add(string camera) => _states.TryAdd(camera, new State());

    /// <summary>Records the camera's status and raises <see cref="StatusChanged"/> if it changed.</summary>
    public void SetOnline(string camera, bool online)
    {
        var state = _states.GetOrAdd(camera, _ => new State());
        bool changed;
        lock (state)
        {
            changed = state.Online != online;
            state.Online = online;
        }

        if (changed)
        {
            StatusChanged?.Invoke(this, new CameraStatusChangedEventArgs(camera, online));
        }
    }

    private sealed class State
    {
        private volatile bool _online;
        private volatile bool _paused;
        private volatile int _moving = -1;

        public bool Online
        {
            get => _online;
            set => _online = value;
        }

        public bool Paused
        {
            get => _paused;
            set => _paused = value;
        }

        public bool? Moving
        {
            get => _moving < 0 ? null : _moving == 1;
            set => _moving = value is null ? -1 : value.Value ? 1 : 0;
        }
    }
}
