using EdgeVision.Pipeline.Analytics;

namespace EdgeVision.Pipeline.Motion;

/// <summary>
/// How one camera decides whether and where to run the detector: motion found on a small grey copy of each
/// frame, the objects it is already following, and a keep-alive. Section <c>Cameras:N:Motion</c>.
/// </summary>
public sealed class MotionOptions
{
    /// <summary>
    /// On (the default): frames with no motion and nothing moving in view skip the detector, and large frames are
    /// detected in model-size regions. Off: every frame the detect rate takes is detected whole, as a letterbox.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Height in pixels of the grey copy motion is found on (its width keeps the frame's aspect); 16 to 1080, at most the frame's height.</summary>
    public int FrameHeight { get; set; } = 180;

    /// <summary>Least change of a grey pixel (0–255), after the whole frame's change of brightness is taken out, that counts as motion.</summary>
    public int Threshold { get; set; } = 25;

    /// <summary>Smallest moving area that counts: at most 1 is a fraction of the frame's area, above 1 square pixels of the frame.</summary>
    public float MinArea { get; set; } = 0.0005f;

    /// <summary>
    /// Time constant of the running-average background: a change that stays becomes background after about this
    /// long (a parked car, a door left open). Shorter forgets still objects sooner; longer leaves ghosts longer.
    /// </summary>
    public TimeSpan BackgroundTime { get; set; } = TimeSpan.FromSeconds(4);

    /// <summary>
    /// Share of the unmasked frame (0–1) whose change, on one frame, is taken for a change of the whole scene
    /// (lights switched, auto-exposure, the IR filter flipping, a camera bumped) rather than motion: the background
    /// is taken again from that frame and the frame counts as still.
    /// </summary>
    public float GlobalChangeShare { get; set; } = 0.4f;

    /// <summary>
    /// With nothing moving, the detector still runs this often to confirm what stands still (a parked car, a
    /// seated person) and to find what arrived without motion being seen.
    /// </summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Parts of the image that are never motion (a clock overlay, trees in the wind), each a polygon like a zone's.</summary>
    public List<MaskOptions> Masks { get; set; } = [];

    /// <summary>
    /// Detecting large frames in regions (<c>auto</c>, the default) or always whole (<c>off</c>). With <c>auto</c>,
    /// a frame the whole-frame letterbox would shrink below <see cref="MinRegionScale"/> is detected in
    /// model-size crops at full resolution around motion and followed objects.
    /// </summary>
    public string Regions { get; set; } = RegionsAuto;

    /// <summary>
    /// The least scale at which any part of a frame reaches the detector: a frame whose letterbox scale is at
    /// least this is detected whole; otherwise regions never shrink their pixels below this scale (0.1–1).
    /// </summary>
    public float MinRegionScale { get; set; } = 0.5f;

    public const string RegionsAuto = "auto";

    public const string RegionsOff = "off";
}
