namespace EdgeVision.Pipeline.Analytics;

/// <summary>Direction of travel in the image: up is towards the top of the frame.</summary>
public enum CaptionHeading
{
    Left,
    Right,
    Up,
    Down,
    UpLeft,
    UpRight,
    DownLeft,
    DownRight,
}
