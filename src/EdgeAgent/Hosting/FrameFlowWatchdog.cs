using EdgeVision.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;

namespace EdgeVision.EdgeAgent.Hosting;

/// <summary>
/// Feeds systemd's watchdog (WATCHDOG=1) only while frames really flow: if no camera's processed count has
/// moved since the last check, the ping is withheld and systemd restarts the agent after WatchdogSec.
/// Without WATCHDOG_USEC in the environment (not under systemd, or no WatchdogSec) it does nothing. While
/// detection is paused by command on every camera no frame is meant to be processed, so it pings then too.
/// </summary>
internal sealed partial class FrameFlowWatchdog : BackgroundService
{
    private readonly ISystemdNotifier _notifier;
    private readonly IPipelineStatistics _statistics;
    private readonly ILogger<FrameFlowWatchdog> _logger;
    private readonly CameraStates? _states;

    public FrameFlowWatchdog(ISystemdNotifier notifier, IPipelineStatistics statistics, ILogger<FrameFlowWatchdog> logger, CameraStates? states = null)
    {
        _notifier = notifier;
        _statistics = statistics;
        _logger = logger;
        _states = states;
    }

    /// <summary>Half the watchdog period, as sd_watchdog_enabled(3) advises; null when systemd set none.</summary>
    public static TimeSpan? PingInterval(string? watchdogUsec) =>
        long.TryParse(watchdogUsec, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var usec) && usec > 0
            ? TimeSpan.FromMicroseconds(usec / 2.0)
            : null;

    /// <summary>Whether frames moved between two snapshots' processed totals.</summary>
    public static bool FramesFlowed(long previousProcessed, long currentProcessed) => currentProcessed > previousProcessed;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = PingInterval(Environment.GetEnvironmentVariable("WATCHDOG_USEC"));
        if (interval is null || !_notifier.IsEnabled)
        {
            return;
        }

        LogPinging(_logger, interval.Value);
        long previous = 0;
        using var timer = new PeriodicTimer(interval.Value);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            var processed = _statistics.Snapshot().Cameras.Sum(c => c.Processed);
            if (FramesFlowed(previous, processed) || AllPaused())
            {
                _notifier.Notify(new ServiceState("WATCHDOG=1"));
            }
            else
            {
                LogNotPinging(_logger, interval.Value);
            }

            previous = processed;
        }
    }

    private bool AllPaused() => _states is { } states && states.Cameras.Count > 0 && states.Cameras.All(c => !states.IsDetecting(c));

    [LoggerMessage(Level = LogLevel.Information, Message = "systemd watchdog: pinging every {Interval} while frames flow")]
    private static partial void LogPinging(ILogger logger, TimeSpan interval);

    [LoggerMessage(Level = LogLevel.Warning, Message = "systemd watchdog: no frame processed in the last {Interval}; not pinging")]
    private static partial void LogNotPinging(ILogger logger, TimeSpan interval);
}
