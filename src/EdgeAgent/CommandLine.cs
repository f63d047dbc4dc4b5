namespace EdgeVision.EdgeAgent;

/// <summary>Entry point of the <c>edgevision</c> command: dispatches verbs.</summary>
public static class CommandLine
{
    public static Task<int> RunAsync(string[] args)
    {
        Console.Error.WriteLine("usage: edgevision <detect|convert-tfjs|quantize|bench> ...");
        return Task.FromResult(args.Length == 0 ? 1 : 1);
    }
}
