namespace EdgeVision.Pipeline.Analytics;

/// <summary>
/// The frame size that regions (zones, lines) were last scaled to, so that scaling is redone only when the
/// camera's frame size changes (on the first frame, and after a stream comes back at another resolution).
/// </summary>
internal struct AppliedFrameSize
{
    private int _width;
    private int _height;

    /// <summary>True, remembering the new size, when <paramref name="width"/> × <paramref name="height"/> is not the size last applied.</summary>
    public bool Changes(int width, int height)
    {
        if (width == _width && height == _height)
        {
            return false;
        }

        _width = width;
        _height = height;
        return true;
    }
}
