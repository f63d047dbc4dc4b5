using System.Diagnostics;
using EdgeVision.Pipeline.Analytics;

namespace EdgeVision.Pipeline.Motion;

/// <summary>A followed object as the detection gate needs it: where it was, how fast it went, whether it still moves or is lost.</summary>
/// <param name="VelocityX">Source pixels per second, rightwards.</param>
/// <param name="VelocityY">Source pixels per second, downwards.</param>
/// <param name="NeedsDetection">Moving, or coasting after a miss: the detector must keep looking at it.</param>
public readonly record struct FollowedObject(BoxF Box, float VelocityX, float VelocityY, bool NeedsDetection);

/// <summary>What a camera's analytics knew after one frame: its followed objects and whether any of them needs the detector.</summary>
/// <param name="CaptureTimestamp">Capture time (<see cref="Stopwatch.GetTimestamp"/>) of the frame it describes.</param>
public sealed record ActivityView(long CaptureTimestamp, bool Unsettled, FollowedObject[] Objects)
{
    public static ActivityView Of(long captureTimestamp, IReadOnlyList<TrackSnapshot> tracks)
    {
        ArgumentNullException.ThrowIfNull(tracks);
        var objects = tracks.Count == 0 ? [] : new FollowedObject[tracks.Count];
        var unsettled = false;
        for (var i = 0; i < objects.Length; i++)
        {
            var t = tracks[i];
            var needs = !t.IsStationary || (!t.Detected && !t.Unseen);
            unsettled |= needs;
            objects[i] = new FollowedObject(t.Box, t.VelocityX, t.VelocityY, needs);
        }

        return new ActivityView(captureTimestamp, unsettled, objects);
    }

    /// <summary>Where an object that needs the detector is expected <paramref name="seconds"/> later: moved by its velocity, widened by the distance it may have gone.</summary>
    public static BoxF Predict(in FollowedObject followed, double seconds)
    {
        var dx = followed.VelocityX * seconds;
        var dy = followed.VelocityY * seconds;
        var slackX = Math.Abs(dx) / 2;
        var slackY = Math.Abs(dy) / 2;
        var b = followed.Box;
        return new BoxF((float)(b.X1 + dx - slackX), (float)(b.Y1 + dy - slackY), (float)(b.X2 + dx + slackX), (float)(b.Y2 + dy + slackY));
    }
}

/// <summary>
/// The hand-over from a camera's analytics (analytics stage) to its detection gate (preprocess stage):
/// the latest <see cref="ActivityView"/>, replaced whole, so the reader never sees half an update.
/// </summary>
public sealed class CameraActivity
{
    private ActivityView? _latest;

    /// <summary>Null until analytics has processed a frame of the camera.</summary>
    public ActivityView? Latest => Volatile.Read(ref _latest);

    public void Publish(ActivityView view) => Volatile.Write(ref _latest, view ?? throw new ArgumentNullException(nameof(view)));
}
