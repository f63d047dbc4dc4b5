using EdgeVision.EdgeAgent.Verbs;
using EdgeVision.Models;
using EdgeVision.ModelTools;
using EdgeVision.Pipeline;

namespace EdgeVision.EdgeAgent;

/// <summary>Entry point of the <c>edgevision</c> command: finds the verb and turns user errors into one line.</summary>
internal static class CommandLine
{
    /// <summary>Every verb the command knows. A verb lives in its own file under Verbs/.</summary>
    public static IReadOnlyList<IVerb> Verbs { get; } = new List<IVerb>
    {
        new RunVerb(),
        new DetectVerb(),
        new ConvertTfjsVerb(),
        new QuantizeVerb(),
        new ImportModelVerb(),
        new BenchVerb(),
        new ProfileVerb(),
        new BenchOutboxVerb(),
        new BenchScaleVerb(),
        new CompareVerb(),
        new EvaluateVerb(),
        new MqttProbeVerb(),
    };

    /// <summary>
    /// The exit code of an error in what the command was given, shown as one line; null for anything else (a
    /// fault, shown with its type). 2 for usage and configuration, 1 for a model or a tool's input that cannot be used.
    /// </summary>
    public static int? ExitCodeOf(Exception exception) => exception switch
    {
        UserFacingException e => e.ExitCode,
        DetectorOptionsException => 2,
        ModelException or ToolInputException => 1,
        _ => null,
    };

    public static async Task<int> RunAsync(string[] args, TextWriter? error = null)
    {
        error ??= Console.Error;
        if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
        {
            PrintUsage(args.Length == 0 ? error : Console.Out);
            return args.Length == 0 ? 2 : 0;
        }

        var verb = Verbs.FirstOrDefault(v => v.Name == args[0]);
        if (verb is null)
        {
            error.WriteLine($"error: unknown verb '{args[0]}' (known: {string.Join(", ", Verbs.Select(v => v.Name))})");
            return 2;
        }

        using var cts = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; cts.Cancel(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            return await verb.RunAsync(args[1..], cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ExitCodeOf(ex) is { } code)
        {
            error.WriteLine($"error: {SourceRedaction.Scrub(ex.Message)}");
            return code;
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            error.WriteLine("cancelled");
            return 130;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Anything unforeseen still ends as one line; EDGEVISION_DEBUG=1 shows the whole exception. Both are
            // scrubbed: an OpenCV message can quote a camera URL.
            var firstLine = SourceRedaction.Scrub(ex.Message.Split('\n', 2)[0].Trim());
            error.WriteLine($"error: {verb.Name} failed: {firstLine} ({ex.GetType().Name})");
            if (Environment.GetEnvironmentVariable("EDGEVISION_DEBUG") == "1")
            {
                error.WriteLine(SourceRedaction.Scrub(ex.ToString()));
            }

            return 1;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static void PrintUsage(TextWriter writer)
    {
        writer.WriteLine("usage: edgevision <verb> [arguments]");
        foreach (var verb in Verbs.Where(v => !v.Hidden))
        {
            writer.WriteLine($"  {verb.Name,-14} {verb.Usage}");
        }
    }
}
