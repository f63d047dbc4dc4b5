namespace EdgeVision.EdgeAgent.Http;

/// <summary>The agent's web surface, section <c>Http</c>: the JSON API, the latest image per camera, health.</summary>
public sealed class HttpOptions
{
    public const string SectionName = "Http";

    public bool Enabled { get; set; } = true;

    /// <summary>Where it listens: <c>http://</c>, a loopback address (127.0.0.1, [::1] or localhost) and a port; 0 picks a free port.</summary>
    public string Url { get; set; } = "http://127.0.0.1:5080";
}
