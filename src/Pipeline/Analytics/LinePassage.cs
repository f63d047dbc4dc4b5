namespace EdgeVision.Pipeline.Analytics;

/// <summary>One track's position relative to each line of its camera, indexed like <see cref="LineCounter"/>'s lines.</summary>
internal sealed class LinePassage
{
    /// <summary>-1 left of A→B, +1 right, 0 not yet known (first seen within the band around the line).</summary>
    internal readonly sbyte[] Side;
    internal readonly ImagePoint[] LastClear;
    internal readonly bool[] CountedIn;
    internal readonly bool[] CountedOut;

    internal LinePassage(int lines)
    {
        Side = new sbyte[lines];
        LastClear = new ImagePoint[lines];
        CountedIn = new bool[lines];
        CountedOut = new bool[lines];
    }

    /// <summary>Whether this track has been counted crossing the line in that direction.</summary>
    public bool HasCrossed(int line, CrossingDirection direction) =>
        direction == CrossingDirection.In ? CountedIn[line] : CountedOut[line];
}
