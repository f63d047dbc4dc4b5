namespace EdgeVision.Models;

/// <summary>One model output a decoder reads: its name and its shape for a single batch item.</summary>
public sealed record DecoderOutput(string Name, IReadOnlyList<int> ItemShape)
{
    /// <summary>Number of floats one batch item occupies in this output.</summary>
    public int ItemLength { get; } = ItemShape.Aggregate(1, (product, dimension) => checked(product * dimension));
}
