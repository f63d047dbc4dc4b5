using EdgeVision.Pipeline;
using Microsoft.Extensions.Logging;

namespace EdgeVision.EdgeAgent.Hosting;

/// <summary>
/// Keeps each event's best snapshot as <c>snapshots/&lt;camera&gt;/&lt;event_id&gt;.jpg</c> under the state directory
/// (systemd's <c>$STATE_DIRECTORY</c>, else <c>~/.local/state/edgevision</c>), a better view replacing the earlier
/// one, and deletes the oldest files once the archive holds more than its byte budget. Sits in front of the
/// real sink; a full disk costs snapshots, never frames.
/// </summary>
internal sealed partial class SnapshotArchive : IDetectionSink
{
    private readonly IDetectionSink _inner;
    private readonly string _root;
    private readonly long _maxBytes;
    private readonly ILogger _logger;
    private readonly LinkedList<(string Path, long Bytes)> _files = new();
    private readonly Dictionary<string, LinkedListNode<(string Path, long Bytes)>> _byPath = new(StringComparer.Ordinal);
    private long _bytes;
    private bool _warned;

    public SnapshotArchive(IDetectionSink inner, string root, long maxBytes, ILogger logger)
    {
        _inner = inner;
        _root = root;
        _maxBytes = maxBytes;
        _logger = logger;
        LoadExisting();
    }

    public long Bytes => _bytes;

    public static string DefaultRoot() => StateDirectory.Combine("snapshots");

    public async ValueTask PublishAsync(FrameDetections frame, CancellationToken cancellationToken)
    {
        if (frame.Analytics is { Snapshots.Count: > 0 } analytics && _maxBytes > 0)
        {
            foreach (var snapshot in analytics.Snapshots)
            {
                Save(frame.Camera, snapshot.ObjectId, snapshot.Jpeg);
            }
        }

        await _inner.PublishAsync(frame, cancellationToken).ConfigureAwait(false);
    }

    private void Save(string camera, string objectId, byte[] jpeg)
    {
        var path = Path.Combine(_root, camera, objectId + ".jpg");
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, jpeg);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            if (!_warned)
            {
                _warned = true;
                LogCannotSave(_logger, _root, ex.Message);
            }

            return;
        }

        if (_byPath.Remove(path, out var old))
        {
            _bytes -= old.Value.Bytes;
            _files.Remove(old);
        }

        _byPath[path] = _files.AddLast((path, jpeg.Length));
        _bytes += jpeg.Length;
        while (_bytes > _maxBytes && _files.First is { } oldest)
        {
            _files.RemoveFirst();
            _byPath.Remove(oldest.Value.Path);
            _bytes -= oldest.Value.Bytes;
            try
            {
                File.Delete(oldest.Value.Path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Counted out of the budget anyway: a file that cannot be deleted is no longer ours to track.
            }
        }
    }

    private void LoadExisting()
    {
        if (!Directory.Exists(_root))
        {
            return;
        }

        foreach (var file in new DirectoryInfo(_root).EnumerateFiles("*.jpg", SearchOption.AllDirectories).OrderBy(f => f.LastWriteTimeUtc))
        {
            _byPath[file.FullName] = _files.AddLast((file.FullName, file.Length));
            _bytes += file.Length;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "cannot save snapshots under {Root}: {Reason}; they are still published")]
    private static partial void LogCannotSave(ILogger logger, string root, string reason);
}
