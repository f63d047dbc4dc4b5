using System.Threading.Channels;
using EdgeVision.Pipeline;

namespace EdgeVision.Tests.Pipeline;

public sealed class DynamicBatcherTests
{
    [Fact]
    public async Task ReadBatchAsync_SixQueued_TakesAFullBatchThenTheRest()
    {
        var channel = Channel.CreateUnbounded<int>();
        foreach (var i in Enumerable.Range(0, 6))
        {
            channel.Writer.TryWrite(i);
        }

        channel.Writer.Complete();
        using var batcher = new DynamicBatcher(4, TimeSpan.FromMilliseconds(10));
        var batch = new int[4];

        Assert.Equal(4, await batcher.ReadBatchAsync(channel.Reader, batch, CancellationToken.None));
        Assert.Equal([0, 1, 2, 3], batch);
        Assert.Equal(2, await batcher.ReadBatchAsync(channel.Reader, batch, CancellationToken.None));
        Assert.Equal([4, 5], batch[..2]);
        Assert.Equal(0, await batcher.ReadBatchAsync(channel.Reader, batch, CancellationToken.None));
    }

    [Fact]
    public async Task ReadBatchAsync_OneItemAndNoMore_ReturnsItAfterTheWait()
    {
        var channel = Channel.CreateUnbounded<int>();
        channel.Writer.TryWrite(7);
        using var batcher = new DynamicBatcher(4, TimeSpan.FromMilliseconds(5));
        var batch = new int[4];

        var first = await batcher.ReadBatchAsync(channel.Reader, batch, CancellationToken.None);
        channel.Writer.TryWrite(8);
        var second = await batcher.ReadBatchAsync(channel.Reader, batch, CancellationToken.None);

        Assert.Equal(1, first);
        Assert.Equal(1, second);
        Assert.Equal(8, batch[0]);
    }

    [Fact]
    public async Task ReadBatchAsync_ItemArrivesDuringTheWait_JoinsTheBatch()
    {
        var channel = Channel.CreateUnbounded<int>();
        channel.Writer.TryWrite(1);

        // A wait far longer than any scheduling delay, ended early by a full batch.
        using var batcher = new DynamicBatcher(2, TimeSpan.FromMinutes(5));
        var batch = new int[2];

        var reading = batcher.ReadBatchAsync(channel.Reader, batch, CancellationToken.None).AsTask();
        channel.Writer.TryWrite(2);

        Assert.Equal(2, await reading);
        Assert.Equal([1, 2], batch);
    }

    [Fact]
    public async Task ReadBatchAsync_CancelledWhileEmpty_Throws()
    {
        var channel = Channel.CreateUnbounded<int>();
        using var batcher = new DynamicBatcher(4, TimeSpan.FromMilliseconds(10));
        using var cancellation = new CancellationTokenSource();

        var reading = batcher.ReadBatchAsync(channel.Reader, new int[4], cancellation.Token).AsTask();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading);
    }
}
