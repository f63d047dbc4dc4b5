namespace EdgeVision.Pipeline.Analytics;

/// <summary>A point in source-image pixels; y grows downwards, as in every image buffer.</summary>
public readonly record struct ImagePoint(float X, float Y);
