using EdgeVision.Pipeline;

namespace EdgeVision.Tests.Motion;

/// <summary>The per-camera motion state the agent publishes (<c>&lt;camera&gt;/motion</c>), on a stream clock.</summary>
public sealed class MotionStateTests
{
    [Fact]
    public void RecordMotion_OnAtOnceOffAfterTheHoldOnceEachAndResetWhenTheStreamRestarts()
    {
        var changes = new List<bool>();
        var counters = new CameraCounters("yard", motionChanged: changes.Add);
        var t = TimeSpan.Zero;
        void Frame(bool moving, double seconds)
        {
            t = TimeSpan.FromSeconds(seconds);
            counters.RecordMotion(moving, t);
        }

        Frame(false, 0.0);   // Known from the first frame: still.
        Frame(false, 0.1);
        Frame(true, 0.2);    // Motion starts.
        Frame(false, 0.3);
        Frame(true, 1.0);
        Frame(false, 2.9);   // 1.9 s after the last motion: still on.
        Frame(false, 3.0);   // 2.0 s: off.
        Frame(false, 9.0);
        Frame(true, 9.1);    // On again.
        Frame(false, 0.0);   // The file looped: its earlier times are gone, and nothing moved yet.

        Assert.Equal([false, true, false, true, false], changes);
    }

    [Fact]
    public void CameraStates_SetMoving_RaisedOnlyOnChangeAndReadBack()
    {
        var states = new CameraStates(["yard"]);
        var raised = new List<(string, bool)>();
        states.MotionChanged += (_, e) => raised.Add((e.Camera, e.Online));

        Assert.Null(states.IsMoving("yard"));
        states.SetMoving("yard", true);
        states.SetMoving("yard", true);
        states.SetMoving("yard", false);

        Assert.False(states.IsMoving("yard"));
        Assert.Equal([("yard", true), ("yard", false)], raised);
    }
}
