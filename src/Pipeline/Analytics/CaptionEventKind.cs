namespace EdgeVision.Pipeline.Analytics;

/// <summary>What happened to the object a caption is about.</summary>
public enum CaptionEventKind
{
    /// <summary>First seen: a new track.</summary>
    Appeared,

    EnteredZone,

    LeftZone,

    CrossedLine,

    /// <summary>Stopped moving and stayed put.</summary>
    Stationary,

    /// <summary>Gone from the view: the track ended.</summary>
    Ended,
}
