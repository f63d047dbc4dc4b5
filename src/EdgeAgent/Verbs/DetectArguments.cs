using System.Globalization;
using EdgeVision.Models;

namespace EdgeVision.EdgeAgent.Verbs;

/// <summary>The parsed command line of <c>edgevision detect</c>.</summary>
internal sealed record DetectArguments(string Input, string Model, bool Json, string? OutputDirectory, float? Threshold)
{
    public static DetectArguments Parse(IReadOnlyList<string> args)
    {
        string? input = null;
        var model = DetectVerb.DefaultModel;
        var json = false;
        string? outputDirectory = null;
        float? threshold = null;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            switch (arg)
            {
                case "--json":
                    json = true;
                    break;
                case "--model":
                    model = ValueOf(args, ref i);
                    break;
                case "--out":
                    outputDirectory = ValueOf(args, ref i);
                    break;
                case "--threshold":
                    var text = ValueOf(args, ref i);
                    if (!float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !(value >= 0f && value <= 1f))
                    {
                        throw new UserFacingException($"--threshold must be a number from 0 to 1, found '{text}'", 2);
                    }

                    threshold = value;
                    break;
                default:
                    if (arg.StartsWith('-') && arg.Length > 1)
                    {
                        throw new UserFacingException($"unknown option '{arg}' for detect (known: --model, --json, --out, --threshold)", 2);
                    }

                    if (input is not null)
                    {
                        throw new UserFacingException($"detect takes one image or folder, found a second: '{arg}'", 2);
                    }

                    input = arg;
                    break;
            }
        }

        return input is null
            ? throw new UserFacingException("detect needs an image or a folder of images", 2)
            : new DetectArguments(input, model, json, outputDirectory, threshold);
    }

    private static string ValueOf(IReadOnlyList<string> args, ref int index)
    {
        if (index + 1 >= args.Count)
        {
            throw new UserFacingException($"{args[index]} needs a value", 2);
        }

        return args[++index];
    }
}
