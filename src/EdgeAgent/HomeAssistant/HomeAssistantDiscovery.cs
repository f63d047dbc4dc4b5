using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using EdgeVision.EdgeAgent.Mqtt;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;

namespace EdgeVision.EdgeAgent.HomeAssistant;

/// <summary>
/// Announces the agent to Home Assistant: after every connect, and again whenever Home Assistant's birth message
/// (<c>&lt;prefix&gt;/status</c> = <c>online</c>) arrives, it publishes the retained discovery messages of
/// <see cref="DiscoveryPlan"/>, a zero on every count an entity reads that has no value yet, and deletes what an
/// earlier run announced and this configuration no longer has (a camera's whole device; a zone's, line's or
/// label's entities). What was announced is remembered per device in the state directory, written only once the
/// broker has taken every message.
/// </summary>
internal sealed partial class HomeAssistantDiscovery : BackgroundService
{
    private readonly HomeAssistantOptions _options;
    private readonly MqttPublisher _publisher;
    private readonly DiscoveryPlan _plan;
    private readonly ILogger<HomeAssistantDiscovery> _logger;
    private readonly string _memoryPath;
    private readonly string _birthTopic;
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private long _announcements;

    private readonly CameraStatePublisher _states;

    public HomeAssistantDiscovery(HomeAssistantOptions options, MqttPublisher publisher, CameraStatePublisher states, DiscoveryPlan plan, string memoryPath, ILogger<HomeAssistantDiscovery> logger)
    {
        _states = states ?? throw new ArgumentNullException(nameof(states));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _publisher = publisher ?? throw new ArgumentNullException(nameof(publisher));
        _plan = plan ?? throw new ArgumentNullException(nameof(plan));
        _memoryPath = memoryPath;
        _logger = logger;
        _birthTopic = _options.Prefix + "/status";

        // Hooked here, not in StartAsync: the publisher, started first, may connect before this service starts.
        _publisher.Connection.Connected += OnConnectedAsync;
        _publisher.Connection.MessageReceived += OnMessageAsync;
    }

    /// <summary>How many times the whole announcement went out.</summary>
    public long Announcements => Interlocked.Read(ref _announcements);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _publisher.Connection.Connected -= OnConnectedAsync;
        _publisher.Connection.MessageReceived -= OnMessageAsync;
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _wake.Reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                _wake.Reader.TryRead(out _);
                await AnnounceAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task OnConnectedAsync(CancellationToken cancellationToken)
    {
        if (_options.Discovery != HomeAssistantOptions.Off)
        {
            var subscription = new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter(f => f.WithTopic(_birthTopic).WithAtLeastOnceQoS().WithNoLocal())
                .Build();
            await _publisher.Connection.SubscribeAsync(subscription, cancellationToken).ConfigureAwait(false);
        }

        _wake.Writer.TryWrite(true);
    }

    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs args)
    {
        var message = args.ApplicationMessage;
        if (message.Topic == _birthTopic && message.Payload.Length <= 16
            && string.Equals(Encoding.UTF8.GetString(message.Payload).Trim(), "online", StringComparison.Ordinal))
        {
            // Home Assistant came back: the discovery, then every camera's status, switch and motion again.
            _wake.Writer.TryWrite(true);
            _states.MarkAll();
        }

        return Task.CompletedTask;
    }

    private async Task AnnounceAsync(CancellationToken cancellationToken)
    {
        var before = Memory.Load(_memoryPath);
        var messages = _plan.Messages().ToList();
        var now = new Memory(_options.Discovery, messages.ToDictionary(
            m => m.Topic,
            m => new Dictionary<string, string>(m.Components, StringComparer.Ordinal),
            StringComparer.Ordinal));

        var outgoing = new List<DiscoveryMessage>();
        foreach (var message in messages)
        {
            // A device that lost entities lists each of them once with its platform alone: Home Assistant removes them.
            var gone = before.Topics.TryGetValue(message.Topic, out var old) && _options.Discovery == HomeAssistantOptions.DeviceMode
                ? old.Where(o => !now.Topics[message.Topic].ContainsKey(o.Key)).ToList()
                : [];
            outgoing.Add(gone.Count == 0 ? message : WithRemoved(message, gone));
        }

        var deleted = before.Topics.Keys.Where(t => !now.Topics.ContainsKey(t)).Order(StringComparer.Ordinal).ToList();
        outgoing.AddRange(deleted.Select(t => new DiscoveryMessage(t, string.Empty, new Dictionary<string, string>())));

        foreach (var message in outgoing)
        {
            var outcome = await _publisher.Connection.SendAsync(
                message.Topic, Encoding.UTF8.GetBytes(message.Payload), MqttQualityOfServiceLevel.AtLeastOnce, retain: true, cancellationToken).ConfigureAwait(false);
            if (outcome != PublishOutcome.Published)
            {
                // Not connected any more, or refused: the next connect announces again; nothing is remembered yet.
                LogNotAnnounced(_logger, message.Topic, outcome.ToString());
                return;
            }
        }

        if (_options.Discovery != HomeAssistantOptions.Off)
        {
            _publisher.PublishZeroCounts(_plan.CountTopics);
        }

        try
        {
            now.Save(_memoryPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogMemoryNotSaved(_logger, _memoryPath, ex.Message);
        }

        Interlocked.Increment(ref _announcements);
        if (messages.Count > 0 || deleted.Count > 0)
        {
            LogAnnounced(_logger, _options.Discovery, _plan.Entities.Count, messages.Count, deleted.Count, _options.Prefix);
        }
    }

    private static DiscoveryMessage WithRemoved(DiscoveryMessage message, List<KeyValuePair<string, string>> gone)
    {
        var payload = JsonNode.Parse(message.Payload)!.AsObject();
        var components = payload["components"]!.AsObject();
        foreach (var (key, platform) in gone)
        {
            components[key] = new JsonObject { ["platform"] = platform };
        }

        return message with { Payload = payload.ToJsonString() };
    }

    /// <summary>What was announced: each discovery topic with the entities (key → platform) its message carried.</summary>
    internal sealed record Memory(string Mode, Dictionary<string, Dictionary<string, string>> Topics)
    {
        public static Memory Load(string path)
        {
            try
            {
                if (File.Exists(path))
                {
                    var json = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
                    var topics = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
                    foreach (var (topic, components) in json["topics"]!.AsObject())
                    {
                        topics[topic] = components!.AsObject().ToDictionary(c => c.Key, c => c.Value!.GetValue<string>(), StringComparer.Ordinal);
                    }

                    return new Memory(json["mode"]?.GetValue<string>() ?? string.Empty, topics);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException or NullReferenceException)
            {
                // A damaged memory only means stale entities are not deleted; the announcement itself goes on.
            }

            return new Memory(string.Empty, new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal));
        }

        public void Save(string path)
        {
            var topics = new JsonObject();
            foreach (var (topic, components) in Topics.OrderBy(t => t.Key, StringComparer.Ordinal))
            {
                var entities = new JsonObject();
                foreach (var (key, platform) in components.OrderBy(c => c.Key, StringComparer.Ordinal))
                {
                    entities[key] = platform;
                }

                topics[topic] = entities;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temporary = path + ".tmp";
            File.WriteAllText(temporary, new JsonObject { ["mode"] = Mode, ["topics"] = topics }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            File.Move(temporary, path, overwrite: true);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Home Assistant discovery ({Mode}): {Entities} entities in {Messages} messages under {Prefix}/, {Deleted} deleted")]
    private static partial void LogAnnounced(ILogger logger, string mode, int entities, int messages, int deleted, string prefix);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Home Assistant discovery: {Topic} not taken ({Outcome}); announcing again at the next connect")]
    private static partial void LogNotAnnounced(ILogger logger, string topic, string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Home Assistant discovery: cannot remember what was announced in {Path}: {Reason}")]
    private static partial void LogMemoryNotSaved(ILogger logger, string path, string reason);
}
