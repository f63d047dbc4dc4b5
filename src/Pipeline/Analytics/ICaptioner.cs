namespace EdgeVision.Pipeline.Analytics;

/// <summary>
/// Turns facts about events into one short English sentence. Asynchronous so that a captioner may ask a model
/// served elsewhere (a vision-language model behind an HTTP endpoint, given <see cref="CaptionFacts.SnapshotJpeg"/>);
/// the built-in <see cref="TemplateCaptioner"/> completes synchronously.
/// </summary>
internal interface ICaptioner
{
    /// <summary>One sentence about the event, or null when this captioner has nothing to say (e.g. its model is unreachable).</summary>
    ValueTask<string?> CaptionAsync(CaptionFacts facts, CancellationToken ct);

    /// <summary>One sentence about what is in view, or null when this captioner has nothing to say.</summary>
    ValueTask<string?> SummarizeAsync(SceneFacts scene, CancellationToken ct);
}
