using Microsoft.Extensions.Logging;

namespace EdgeVision.Pipeline;

/// <summary>Log messages shared by the pipeline's stage loops.</summary>
internal static partial class PipelineLog
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Stage {Stage} started")]
    public static partial void StageStarted(ILogger logger, string stage);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stage {Stage} stopped")]
    public static partial void StageStopped(ILogger logger, string stage);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stage {Stage} failed; stopping the pipeline")]
    public static partial void StageFailed(ILogger logger, Exception exception, string stage);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {Camera}: frame {Sequence} could not be processed ({Failures} so far): {Reason}")]
    public static partial void FrameFailed(ILogger logger, string camera, long sequence, long failures, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {Camera}: publishing frame {Sequence} failed (attempt {Attempt}), retrying in {DelayMs} ms: {Reason}")]
    public static partial void PublishRetry(ILogger logger, string camera, long sequence, int attempt, int delayMs, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Camera {Camera}: frame {Sequence} could not be published")]
    public static partial void PublishFailed(ILogger logger, Exception exception, string camera, long sequence);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {Camera}: {Problem}; motion masks are cut to the frame")]
    public static partial void MotionSettingProblem(ILogger logger, string camera, string problem);
}
