using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using EdgeVision.Pipeline;
using Microsoft.Extensions.Logging;

namespace EdgeVision.EdgeAgent.Hosting;

/// <summary>
/// Keeps each camera's frame and event numbering going across restarts, in <c>sequences-&lt;device&gt;.json</c> in
/// the state directory. A counter reserves a block of numbers ahead (written to disk before the first of them is
/// used); a clean stop writes where numbering really stopped, so the next run continues without a gap, while
/// after a crash it continues after the reserved block: a gap, never a number used twice. The file also carries
/// an <c>epoch</c> (random, made when the file is made) and a <c>boot</c> count (one more each start): a consumer
/// that sees the boot change knows a restart happened; one that sees the epoch change knows the numbering
/// started again at the beginning because the state was lost.
/// </summary>
internal sealed partial class SequenceFile : ISequenceSource
{
    /// <summary>Numbers reserved at a time: frames come at up to tens a second, events far fewer.</summary>
    public const long FrameBlock = 10_000;

    public const long EventBlock = 1_000;

    private readonly string _path;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Camera, SequenceKind Kind), long> _reserved = new();
    private readonly Dictionary<(string Camera, SequenceKind Kind), SequenceCounter> _counters = new();

    public SequenceFile(string path, ILogger logger)
    {
        _path = path;
        _logger = logger;
        var (epoch, boot) = Load();
        Epoch = epoch;
        Boot = boot + 1;
        Save(_reserved);
    }

    /// <summary>Random, made with the file: a new one means numbering started again from the beginning.</summary>
    public string Epoch { get; }

    /// <summary>Starts of the agent with this file, this one included.</summary>
    public long Boot { get; }

    public SequenceCounter Counter(string camera, SequenceKind kind)
    {
        lock (_gate)
        {
            if (!_counters.TryGetValue((camera, kind), out var counter))
            {
                var first = _reserved.TryGetValue((camera, kind), out var bound) ? bound : kind == SequenceKind.Events ? 1 : 0;
                counter = new SequenceCounter(first, upTo => Reserve(camera, kind, upTo)) { Epoch = Epoch, Boot = Boot };
                _counters[(camera, kind)] = counter;
            }

            return counter;
        }
    }

    /// <summary>On a clean stop: each counter's next number becomes where the next run starts.</summary>
    public void SaveExact()
    {
        lock (_gate)
        {
            var exact = new Dictionary<(string, SequenceKind), long>(_reserved);
            foreach (var (key, counter) in _counters)
            {
                exact[key] = counter.Peek;
            }

            Save(exact);
        }
    }

    private long Reserve(string camera, SequenceKind kind, long upTo)
    {
        lock (_gate)
        {
            var bound = upTo + (kind == SequenceKind.Frames ? FrameBlock : EventBlock);
            _reserved[(camera, kind)] = bound;
            Save(_reserved);
            return bound;
        }
    }

    private (string Epoch, long Boot) Load()
    {
        if (!File.Exists(_path))
        {
            return (NewEpoch(), 0);
        }

        try
        {
            var root = JsonNode.Parse(File.ReadAllText(_path))!.AsObject();
            foreach (var (camera, value) in root["cameras"]!.AsObject())
            {
                _reserved[(camera, SequenceKind.Frames)] = value!["frames"]!.GetValue<long>();
                _reserved[(camera, SequenceKind.Events)] = value["events"]!.GetValue<long>();
            }

            return (root["epoch"]!.GetValue<string>(), root["boot"]!.GetValue<long>());
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or NullReferenceException or FormatException or IOException or UnauthorizedAccessException)
        {
            _reserved.Clear();
            var epoch = NewEpoch();
            LogLost(_logger, _path, ex.Message, epoch);
            return (epoch, 0);
        }
    }

    private void Save(Dictionary<(string Camera, SequenceKind Kind), long> values)
    {
        var cameras = new JsonObject();
        foreach (var camera in values.Keys.Select(k => k.Camera).Distinct().Order(StringComparer.Ordinal))
        {
            cameras[camera] = new JsonObject
            {
                ["frames"] = values.GetValueOrDefault((camera, SequenceKind.Frames), 0),
                ["events"] = values.GetValueOrDefault((camera, SequenceKind.Events), 1),
            };
        }

        var text = new JsonObject { ["epoch"] = Epoch ?? string.Empty, ["boot"] = Boot, ["cameras"] = cameras }.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            var temporary = _path + ".tmp";
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                stream.Write(System.Text.Encoding.UTF8.GetBytes(text));
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, _path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Numbering goes on; only its continuation after a restart is at stake.
            LogNotSaved(_logger, _path, ex.Message);
        }
    }

    private static string NewEpoch() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sequence numbers: {Path} cannot be read ({Reason}); numbering starts again under the new epoch {Epoch}")]
    private static partial void LogLost(ILogger logger, string path, string reason, string epoch);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sequence numbers: cannot write {Path} ({Reason}); after a restart numbering may start again")]
    private static partial void LogNotSaved(ILogger logger, string path, string reason);
}
