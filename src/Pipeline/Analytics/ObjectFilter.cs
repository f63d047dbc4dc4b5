namespace EdgeVision.Pipeline.Analytics;

/// <summary>The label, score and size rule of one zone or line, with the area resolved for the current frame size.</summary>
internal sealed class ObjectFilter
{
    private readonly HashSet<string>? _labels;
    private readonly float _minScore;
    private readonly float _minArea;
    private float _minAreaPixels;

    public ObjectFilter(List<string> labels, float minScore, float minArea)
    {
        _labels = labels.Count == 0 ? null : new HashSet<string>(labels, StringComparer.Ordinal);
        _minScore = minScore;
        _minArea = minArea;
        _minAreaPixels = minArea;
    }

    public void SetFrameSize(int width, int height) => _minAreaPixels = RegionCoordinates.AreaInPixels(_minArea, width, height);

    /// <summary>Top score rather than the frame's score: a person does not leave a zone because one frame scored low.</summary>
    public bool Accepts(TrackSnapshot track, float topScore) =>
        (_labels is null || _labels.Contains(track.Label)) && topScore >= _minScore && track.Box.Area >= _minAreaPixels;
}
