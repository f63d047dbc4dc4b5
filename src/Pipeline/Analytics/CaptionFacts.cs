namespace EdgeVision.Pipeline.Analytics;

/// <summary>
/// Everything a caption may say about one event. A captioner names nothing that is not here: a missing colour,
/// zone, line, heading, speed or duration is left out of the sentence, never guessed.
/// </summary>
/// <param name="Kind">What happened.</param>
/// <param name="Label">The detector's class label ("person", "car", "traffic light", …).</param>
public sealed record CaptionFacts(CaptionEventKind Kind, string Label)
{
    /// <summary>How many objects the event is about (at least 1); above 1 the sentence is plural.</summary>
    public int Count { get; init; } = 1;

    /// <summary>Colour names: upper and lower for people, overall for anything else.</summary>
    public ObjectColours? Colours { get; init; }

    /// <summary>The zone entered, left or stood in; for <see cref="CaptionEventKind.Appeared"/> and <see cref="CaptionEventKind.Ended"/> the zone the object was in.</summary>
    public string? Zone { get; init; }

    /// <summary>The line crossed.</summary>
    public string? Line { get; init; }

    public CaptionLineDirection? LineDirection { get; init; }

    public CaptionHeading? Heading { get; init; }

    public CaptionSpeed? Speed { get; init; }

    /// <summary>Seconds spent in <see cref="Zone"/> when a zone is given, otherwise seconds in view.</summary>
    public double? DwellSeconds { get; init; }

    /// <summary>
    /// The best snapshot of the object, JPEG-encoded, for captioners that look at the picture; empty when there
    /// is none. The template captioner does not use it.
    /// </summary>
    public ReadOnlyMemory<byte> SnapshotJpeg { get; init; }
}
