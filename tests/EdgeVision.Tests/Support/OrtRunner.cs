using Microsoft.ML.OnnxRuntime;

namespace EdgeVision.Tests.Support;

/// <summary>Runs an ONNX model on the CPU provider with one input (float, or bytes) and returns every output as floats.</summary>
public static class OrtRunner
{
    public static Dictionary<string, (float[] Data, long[] Shape)> Run<T>(byte[] model, string inputName, T[] input, long[] shape)
        where T : unmanaged
    {
        using var options = new SessionOptions { IntraOpNumThreads = 2 };
        using var session = new InferenceSession(model, options);
        return Run(session, inputName, input, shape);
    }

    public static Dictionary<string, (float[] Data, long[] Shape)> Run<T>(InferenceSession session, string inputName, T[] input, long[] shape)
        where T : unmanaged
    {
        using var value = OrtValue.CreateTensorValueFromMemory(input, shape);
        using var runOptions = new RunOptions();
        var outputNames = session.OutputNames.ToArray();
        using var outputs = session.Run(runOptions, [inputName], [value], outputNames);
        var result = new Dictionary<string, (float[], long[])>();
        for (var i = 0; i < outputNames.Length; i++)
        {
            var info = outputs[i].GetTensorTypeAndShape();
            result[outputNames[i]] = (outputs[i].GetTensorDataAsSpan<float>().ToArray(), info.Shape);
        }

        return result;
    }

    public static float MaxAbsDifference(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException($"lengths differ: {a.Length} vs {b.Length}");
        }

        var max = 0f;
        for (var i = 0; i < a.Length; i++)
        {
            max = Math.Max(max, Math.Abs(a[i] - b[i]));
        }

        return max;
    }

    /// <summary>A reproducible input shaped like a normalized image (values roughly in [-2, 2]).</summary>
    public static float[] RandomInput(int count, int seed)
    {
        var random = new Random(seed);
        var data = new float[count];
        for (var i = 0; i < count; i++)
        {
            data[i] = (float)((random.NextDouble() * 4) - 2);
        }

        return data;
    }
}
