namespace EdgeVision.Pipeline.Analytics;

/// <summary>How configured [x, y] pairs become pixels: fractions of the frame or pixels as they are.</summary>
public static class RegionCoordinates
{
    /// <summary>The explicit flag when given; otherwise fractions exactly when every coordinate is within 0–1.</summary>
    public static bool IsNormalized(bool? flag, IEnumerable<float[]> points)
    {
        if (flag is { } explicitFlag)
        {
            return explicitFlag;
        }

        foreach (var point in points)
        {
            foreach (var value in point)
            {
                if (value is < 0 or > 1)
                {
                    return false;
                }
            }
        }

        return true;
    }

    public static ImagePoint ToPixels(float[] point, bool normalized, int width, int height) =>
        normalized ? new ImagePoint(point[0] * width, point[1] * height) : new ImagePoint(point[0], point[1]);

    /// <summary>At most 1 is a fraction of the frame's area, above 1 square pixels.</summary>
    public static float AreaInPixels(float minArea, int width, int height) =>
        minArea <= 1 ? minArea * width * height : minArea;
}
