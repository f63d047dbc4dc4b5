namespace EdgeVision.Models;

/// <summary>
/// How a source image was placed in the network input: scaled by <see cref="Scale"/> and shifted by the
/// padding. Maps network-pixel coordinates back to source pixels.
/// </summary>
public readonly record struct LetterboxTransform(
    float Scale,
    int PadX,
    int PadY,
    int SourceWidth,
    int SourceHeight,
    int ScaledWidth,
    int ScaledHeight)
{
    /// <summary>x_src = (x_net − padX) / s, clamped to [0, srcW].</summary>
    public float ToSourceX(float networkX) => Math.Clamp((networkX - PadX) / Scale, 0f, SourceWidth);

    /// <summary>y_src = (y_net − padY) / s, clamped to [0, srcH].</summary>
    public float ToSourceY(float networkY) => Math.Clamp((networkY - PadY) / Scale, 0f, SourceHeight);

    /// <summary>
    /// The geometry of the letterbox for a source of the given size: s = min(netW/srcW, netH/srcH), the
    /// scaled size rounded half up, and the image centred with the odd pixel of padding on the right/bottom.
    /// </summary>
    public static LetterboxTransform For(int sourceWidth, int sourceHeight, int networkWidth, int networkHeight)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sourceWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sourceHeight);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(networkWidth);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(networkHeight);

        // Double precision so that the rounding matches the reference, which computes in JS numbers.
        var scale = Math.Min((double)networkWidth / sourceWidth, (double)networkHeight / sourceHeight);
        var scaledWidth = Math.Clamp((int)Math.Floor(sourceWidth * scale + 0.5), 1, networkWidth);
        var scaledHeight = Math.Clamp((int)Math.Floor(sourceHeight * scale + 0.5), 1, networkHeight);
        var padX = (networkWidth - scaledWidth) / 2;
        var padY = (networkHeight - scaledHeight) / 2;
        return new LetterboxTransform((float)scale, padX, padY, sourceWidth, sourceHeight, scaledWidth, scaledHeight);
    }
}
