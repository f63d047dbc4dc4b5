using System.Buffers;
using EdgeVision.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EdgeVision.EdgeAgent.Mqtt;

/// <summary>Every <see cref="MqttOptions.StatsInterval"/>: the pipeline's snapshot and the publisher's counters to <c>&lt;prefix&gt;/&lt;device&gt;/stats</c>.</summary>
internal sealed class StatsPublisher : BackgroundService
{
    private readonly IPipelineStatistics _statistics;
    private readonly MqttPublisher _publisher;
    private readonly MqttOptions _options;
    private readonly ILogger<StatsPublisher> _logger;
    private readonly ArrayBufferWriter<byte> _buffer = new(8192);
    private readonly Store.EventStore? _store;

    /// <param name="store">The history, whose counters join the message when the agent keeps one.</param>
    public StatsPublisher(IPipelineStatistics statistics, MqttPublisher publisher, IOptions<MqttOptions> options, ILogger<StatsPublisher> logger, Store.EventStore? store = null)
    {
        _store = store;
        ArgumentNullException.ThrowIfNull(options);
        _statistics = statistics ?? throw new ArgumentNullException(nameof(statistics));
        _publisher = publisher ?? throw new ArgumentNullException(nameof(publisher));
        _options = options.Value;
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>Builds and publishes one stats message now.</summary>
    public async ValueTask<PublishOutcome> PublishOnceAsync(CancellationToken cancellationToken)
    {
        var message = StatsMessage.From(_options.DeviceId, _statistics.Snapshot(), _publisher.Counters, _publisher.OutboxCounters, _store?.Counters);
        return await _publisher.PublishStatsAsync(message.WriteTo(_buffer), cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        MqttLog.StatsLoopStarted(_logger, _publisher.Topics.Stats, _options.StatsInterval);
        using var timer = new PeriodicTimer(_options.StatsInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    // The outcome is already counted by the connection; a lost stats message is replaced by the next one.
                    await PublishOnceAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    MqttLog.StatsSnapshotFailed(_logger, ex);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            MqttLog.StatsLoopStopped(_logger);
        }
    }
}
