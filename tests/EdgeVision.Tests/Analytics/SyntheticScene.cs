using EdgeVision.Pipeline.Analytics;

namespace EdgeVision.Tests.Analytics;

/// <summary>Builds tracking frames by hand: boxes placed by their bottom-centre (the point analytics tests), 10 frames per second.</summary>
internal static class SyntheticScene
{
    public const int Width = 1920;
    public const int Height = 1080;

    public static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static TimeSpan TimeOf(long frame) => TimeSpan.FromMilliseconds(frame * 100);

    /// <summary>An upright box <paramref name="height"/> tall and half as wide, standing on (footX, footY).</summary>
    public static TrackSnapshot Object(
        int id,
        float footX,
        float footY,
        string label = "person",
        float height = 100,
        float score = 0.9f,
        bool stationary = false,
        bool detected = true,
        float velocityX = 0,
        float velocityY = 0,
        ObjectColours? colours = null) =>
        new(id, 0, label, score, new BoxF(footX - height / 4, footY - height, footX + height / 4, footY), velocityX, velocityY, stationary, detected, colours);

    public static TrackingFrame Frame(long frame, IReadOnlyList<TrackSnapshot> tracks, params int[] ended) =>
        new("yard", frame, Start + TimeOf(frame), TimeOf(frame), Width, Height, tracks, ended);
}
