namespace EdgeVision.Models;

/// <summary>The manifest's "provenance" section: where the weights came from and how they were converted.</summary>
public sealed class ModelProvenance
{
    public string? Description { get; init; }

    /// <summary>The package the original weights were taken from, with its version.</summary>
    public string? SourcePackage { get; init; }
}
