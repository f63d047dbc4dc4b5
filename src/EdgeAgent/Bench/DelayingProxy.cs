using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace EdgeVision.EdgeAgent.Bench;

/// <summary>
/// A TCP relay on a loopback port in front of one endpoint that holds every chunk of bytes for a fixed time in each
/// direction, as a cellular or satellite link would (twice the delay is the added round trip). Each direction of a
/// connection is one reader and one writer with a first-in, first-out queue between them, so bytes leave in the
/// order they came. When either side closes or fails, both sides of that connection are closed.
/// </summary>
internal sealed class DelayingProxy : IAsyncDisposable
{
    private const int ChunkBytes = 16 * 1024;

    private readonly TcpListener _listener;
    private readonly string _targetHost;
    private readonly int _targetPort;
    private readonly TimeSpan _delay;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _relays = [];
    private readonly Task _accepting;
    private int _connections;

    private DelayingProxy(string targetHost, int targetPort, TimeSpan delay)
    {
        _targetHost = targetHost;
        _targetPort = targetPort;
        _delay = delay;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = Task.Run(() => AcceptAsync(_stopping.Token));
    }

    /// <summary>The loopback port clients connect to.</summary>
    public int Port { get; }

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Starts relaying to <paramref name="targetHost"/>:<paramref name="targetPort"/>, adding <paramref name="delay"/> each way.</summary>
    public static DelayingProxy Start(string targetHost, int targetPort, TimeSpan delay)
    {
        ArgumentException.ThrowIfNullOrEmpty(targetHost);
        ArgumentOutOfRangeException.ThrowIfNegative(delay.Ticks, nameof(delay));
        return new DelayingProxy(targetHost, targetPort, delay);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        await _accepting.ConfigureAwait(false);
        Task[] relays;
        lock (_relays)
        {
            relays = [.. _relays];
        }

        await Task.WhenAll(relays).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task AcceptAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(stopping).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Interlocked.Increment(ref _connections);
            lock (_relays)
            {
                _relays.RemoveAll(t => t.IsCompleted);
                _relays.Add(RelayAsync(client, stopping));
            }
        }
    }

    private async Task RelayAsync(Socket client, CancellationToken stopping)
    {
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        using (client)
        using (var target = new Socket(SocketType.Stream, ProtocolType.Tcp))
        {
            client.NoDelay = true;
            target.NoDelay = true;
            try
            {
                await target.ConnectAsync(_targetHost, _targetPort, connection.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException)
            {
                // Nothing listens there (a broker restarting): the client sees its connection closed.
                return;
            }

            var upstream = ForwardAsync(client, target, connection);
            var downstream = ForwardAsync(target, client, connection);
            await Task.WhenAll(upstream, downstream).ConfigureAwait(false);
        }
    }

    /// <summary>One direction: reads chunks as they come, stamps each with when it may leave, writes them in order.</summary>
    private async Task ForwardAsync(Socket from, Socket to, CancellationTokenSource connection)
    {
        var queue = Channel.CreateUnbounded<(byte[] Chunk, int Length, long Due)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var writing = WriteAsync(queue.Reader, to, connection.Token);
        try
        {
            while (true)
            {
                var chunk = ArrayPool<byte>.Shared.Rent(ChunkBytes);
                var read = await from.ReceiveAsync(chunk, SocketFlags.None, connection.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    ArrayPool<byte>.Shared.Return(chunk);
                    break;
                }

                queue.Writer.TryWrite((chunk, read, Stopwatch.GetTimestamp() + (long)(_delay.TotalSeconds * Stopwatch.Frequency)));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            queue.Writer.TryComplete();
        }

        await writing.ConfigureAwait(false);

        // This side is done: whatever was queued has gone (or could not), so the whole connection ends.
        await connection.CancelAsync().ConfigureAwait(false);
    }

    private static async Task WriteAsync(ChannelReader<(byte[] Chunk, int Length, long Due)> queue, Socket to, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var (chunk, length, due) in queue.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                try
                {
                    var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                    if (wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
                    }

                    await to.SendAsync(chunk.AsMemory(0, length), SocketFlags.None, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(chunk);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }
}
