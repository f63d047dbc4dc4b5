namespace EdgeVision.EdgeAgent.Http;

/// <summary>The agent's web surface, section <c>Http</c>: the live page, the JSON API, the latest image per camera, health.</summary>
internal sealed class HttpOptions
{
    public const string SectionName = "Http";

    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Where it listens: <c>http://</c> or <c>https://</c> (with <see cref="Tls"/>), a host and a port; 0 picks a
    /// free port. Beyond loopback (127.0.0.1, [::1], localhost) only with credentials.
    /// </summary>
    public string Url { get; set; } = "http://127.0.0.1:5080";

    /// <summary>The user name HTTP Basic authentication asks for with <see cref="Password"/>.</summary>
    public string Username { get; set; } = "edgevision";

    /// <summary>
    /// With it set, every request but <c>/healthz</c> needs HTTP Basic credentials (or <see cref="Token"/>). Never
    /// logged or served. Also from <see cref="PasswordFile"/> or the systemd credential <c>http-password</c>.
    /// </summary>
    public string? Password { get; set; }

    public string? PasswordFile { get; set; }

    /// <summary>A bearer token for scripts (<c>Authorization: Bearer …</c>), at least 16 characters. Also from <see cref="TokenFile"/> or the systemd credential <c>http-token</c>.</summary>
    public string? Token { get; set; }

    public string? TokenFile { get; set; }

    /// <summary>The certificate an <c>https://</c> URL serves.</summary>
    public HttpTlsOptions Tls { get; set; } = new();

    /// <summary>Failed authentications one client address may make a minute (1–1000); beyond that it gets 429 until the minute is over.</summary>
    public int AuthFailuresPerMinute { get; set; } = 10;

    /// <summary>Live streams (MJPEG and the event feed) one client address may hold open at once (1–256); one more gets 429.</summary>
    public int StreamsPerClient { get; set; } = 16;

    /// <summary>Most frames a second one MJPEG viewer gets (1–30).</summary>
    public int LiveMaxFps { get; set; } = 5;

    /// <summary>MJPEG viewers per camera at once (1–64); one more is refused with 503.</summary>
    public int LiveMaxClients { get; set; } = 8;

    /// <summary>Viewers of the live event feed at once (1–256).</summary>
    public int EventViewers { get; set; } = 16;
}

/// <summary>Section <c>Http:Tls</c>: a PEM certificate (its chain may follow it in the file) and its PEM private key.</summary>
internal sealed class HttpTlsOptions
{
    public string? CertificateFile { get; set; }

    public string? KeyFile { get; set; }

    public bool IsSet => !string.IsNullOrWhiteSpace(CertificateFile) || !string.IsNullOrWhiteSpace(KeyFile);
}
