namespace EdgeVision.Models;

/// <summary>The execution-provider names that <see cref="DetectorOptions.ExecutionProviders"/> accepts.</summary>
public static class ExecutionProvider
{
    public const string TensorRt = "TensorRT";
    public const string Cuda = "CUDA";
    public const string Cpu = "CPU";

    public static IReadOnlyList<string> All { get; } = [TensorRt, Cuda, Cpu];
}
