namespace EdgeVision.Pipeline.Analytics;

public enum TrackEventType
{
    New,
    Update,
    End,
}
