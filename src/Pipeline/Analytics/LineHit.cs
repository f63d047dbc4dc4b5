namespace EdgeVision.Pipeline.Analytics;

/// <summary>A counted crossing of line <paramref name="Line"/> (an index into <see cref="LineCounter"/>'s lines).</summary>
internal readonly record struct LineHit(int Line, CrossingDirection Direction);
