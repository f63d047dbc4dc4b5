namespace EdgeVision.Pipeline;

/// <summary>A camera: reads frames and hands each to its <see cref="CaptureChannel"/>.</summary>
public interface IFrameSource
{
    string Name { get; }

    /// <summary>True when the source produces frames at its own pace (the capture queue then drops its oldest frame when full).</summary>
    bool IsLive { get; }

    /// <summary>
    /// Reads until the source ends (a file that does not loop) or <paramref name="cancellationToken"/> is
    /// cancelled, reconnecting on failures; completes <paramref name="output"/> before returning. Returns
    /// normally on cancellation and never throws for a failing camera.
    /// </summary>
    Task RunAsync(CaptureChannel output, CancellationToken cancellationToken);
}
