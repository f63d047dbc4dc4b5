using System.Buffers.Binary;
using System.Text.Json;
using EdgeVision.Models;
using EdgeVision.ModelTools.Onnx;

namespace EdgeVision.ModelTools.TfJs;

/// <summary>
/// Reads the weights of a TF.js model: each manifest group's shards are one byte stream, its weights stored in
/// order. Handles float32/int32/bool weights and the converter's quantized forms (float16; uint8/uint16 affine
/// with scale and min).
/// </summary>
internal static class TfjsWeightReader
{
    public static Dictionary<string, TensorData> Read(JsonElement manifest, string baseDirectory)
    {
        var result = new Dictionary<string, TensorData>(StringComparer.Ordinal);
        foreach (var group in manifest.EnumerateArray())
        {
            var bytes = ReadShards(group, baseDirectory);
            var offset = 0;
            foreach (var w in group.GetProperty("weights").EnumerateArray())
            {
                var name = w.GetProperty("name").GetString()!;
                var shape = w.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
                var dtype = w.GetProperty("dtype").GetString()!;
                var count = TensorData.ElementCount(shape);
                TensorData tensor;
                int size;
                if (w.TryGetProperty("quantization", out var q))
                {
                    (tensor, size) = ReadQuantized(name, q, dtype, shape, count, bytes, offset);
                }
                else
                {
                    (tensor, size) = ReadPlain(name, dtype, shape, count, bytes, offset);
                }

                if (offset + size > bytes.Length)
                {
                    throw new ModelException($"weight '{name}' runs past the end of the weight files ({bytes.Length} bytes)");
                }

                offset += size;
                result[name] = tensor;
            }

            if (offset != bytes.Length)
            {
                throw new ModelException($"weight files hold {bytes.Length} bytes but the manifest describes {offset}");
            }
        }

        return result;
    }

    private static byte[] ReadShards(JsonElement group, string baseDirectory)
    {
        using var buffer = new MemoryStream();
        foreach (var p in group.GetProperty("paths").EnumerateArray())
        {
            var relative = p.GetString()!;
            var path = Path.GetFullPath(Path.Combine(baseDirectory, relative));
            // A bare prefix test would let "../model-copy/x.bin" through for a folder named "model";
            // the relative path says whether the shard really lies inside.
            var inside = Path.GetRelativePath(baseDirectory, path);
            if (inside == ".." || inside.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal) || Path.IsPathRooted(inside))
            {
                throw new ModelException($"weight shard path '{relative}' points outside the model's folder");
            }

            if (!File.Exists(path))
            {
                throw new ModelException($"weight shard not found: {path}");
            }

            using var shard = File.OpenRead(path);
            shard.CopyTo(buffer);
        }

        return buffer.ToArray();
    }

    private static (TensorData Tensor, int Size) ReadPlain(string name, string dtype, long[] shape, int count, byte[] bytes, int offset)
    {
        switch (dtype)
        {
            case "float32":
                EnsureAvailable(name, bytes, offset, count * 4);
                var f = new float[count];
                for (var i = 0; i < count; i++)
                {
                    f[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(offset + (i * 4)));
                }

                return (TensorData.FromFloats(f, shape), count * 4);
            case "int32":
                EnsureAvailable(name, bytes, offset, count * 4);
                var l = new long[count];
                for (var i = 0; i < count; i++)
                {
                    l[i] = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(offset + (i * 4)));
                }

                return (TensorData.FromLongs(l, ElementType.Int32, shape), count * 4);
            case "bool":
                EnsureAvailable(name, bytes, offset, count);
                return (TensorData.FromLongs(bytes.AsSpan(offset, count).ToArray().Select(b => (long)b).ToArray(), ElementType.Bool, shape), count);
            default:
                throw new ModelException($"weight '{name}' has dtype '{dtype}', which the converter does not read");
        }
    }

    private static (TensorData Tensor, int Size) ReadQuantized(string name, JsonElement q, string dtype, long[] shape, int count, byte[] bytes, int offset)
    {
        var storage = q.GetProperty("dtype").GetString();
        float[] values;
        int size;
        switch (storage)
        {
            case "float16":
                size = count * 2;
                EnsureAvailable(name, bytes, offset, size);
                values = new float[count];
                for (var i = 0; i < count; i++)
                {
                    values[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(bytes.AsSpan(offset + (i * 2)));
                }

                break;
            case "uint8":
            case "uint16":
                var width = storage == "uint8" ? 1 : 2;
                size = count * width;
                EnsureAvailable(name, bytes, offset, size);
                var scale = q.GetProperty("scale").GetSingle();
                var min = q.GetProperty("min").GetSingle();
                values = new float[count];
                for (var i = 0; i < count; i++)
                {
                    int raw = width == 1 ? bytes[offset + i] : BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(offset + (i * 2)));
                    values[i] = (raw * scale) + min;
                }

                break;
            default:
                throw new ModelException($"weight '{name}' uses quantization dtype '{storage}', which the converter does not read");
        }

        if (dtype == "int32")
        {
            return (TensorData.FromLongs(values.Select(v => (long)MathF.Round(v)).ToArray(), ElementType.Int32, shape), size);
        }

        return (TensorData.FromFloats(values, shape), size);
    }

    private static void EnsureAvailable(string name, byte[] bytes, int offset, int size)
    {
        if (offset + size > bytes.Length)
        {
            throw new ModelException($"weight '{name}' runs past the end of the weight files ({bytes.Length} bytes)");
        }
    }
}
