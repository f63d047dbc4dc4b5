namespace EdgeVision.Models;

/// <summary>
/// One detected object. The box corners are in pixels of the source image the detector was given,
/// not of the network input, so they can be drawn on that image or compared across cameras directly.
/// </summary>
public readonly record struct Detection(int ClassId, string Label, float Score, float X1, float Y1, float X2, float Y2)
{
    public float Width => X2 - X1;

    public float Height => Y2 - Y1;

    public float Area => Width * Height;
}
