namespace EdgeVision.Models;

/// <summary>One stride of a NanoDet head: the output holding its class scores and the one holding its box distributions.</summary>
internal sealed record NanoDetLevel(int Stride, string ScoresOutput, string BoxesOutput);
