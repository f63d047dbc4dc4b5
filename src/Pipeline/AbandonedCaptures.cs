namespace EdgeVision.Pipeline;

/// <summary>How many of a camera's capture threads were abandoned in a blocked call and have not returned from it yet.</summary>
internal sealed class AbandonedCaptures
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public void Add() => Interlocked.Increment(ref _count);

    public void Remove() => Interlocked.Decrement(ref _count);
}
