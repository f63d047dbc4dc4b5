namespace EdgeVision.EdgeAgent.Http;

/// <summary>The agent's web surface, section <c>Http</c>: the JSON API, the latest image per camera, health.</summary>
public sealed class HttpOptions
{
    public const string SectionName = "Http";

    public bool Enabled { get; set; } = true;

    /// <summary>Where it listens: <c>http://</c>, a loopback address (127.0.0.1, [::1] or localhost) and a port; 0 picks a free port.</summary>
    public string Url { get; set; } = "http://127.0.0.1:5080";

    /// <summary>Most frames a second one MJPEG viewer gets (1–30).</summary>
    public int LiveMaxFps { get; set; } = 5;

    /// <summary>MJPEG viewers per camera at once (1–64); one more is refused with 503.</summary>
    public int LiveMaxClients { get; set; } = 8;

    /// <summary>Viewers of the live event feed at once (1–256).</summary>
    public int EventViewers { get; set; } = 16;
}
