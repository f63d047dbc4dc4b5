using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace EdgeVision.Models;

/// <summary>
/// Opens an ONNX Runtime session on the first requested execution provider that works here. GPU providers
/// live in separate libraries that need CUDA, cuDNN and TensorRT at load time; on a machine without them
/// ONNX Runtime throws when the provider is appended, and the next provider in the list is tried.
/// </summary>
internal static partial class ExecutionProviderSelection
{
    /// <param name="nvidiaDriverPresent">Whether an NVIDIA driver is installed (<see cref="NvidiaDriver.IsPresent"/> when null).</param>
    /// <param name="profilePrefix">When set, ONNX Runtime's profiler writes a trace starting with this path (see <see cref="OnnxDetector.EndProfiling"/>).</param>
    public static InferenceSession CreateSession(string modelPath, DetectorOptions options, ILogger logger, out string activeProvider, Func<bool>? nvidiaDriverPresent = null, string? profilePrefix = null)
    {
        var unavailable = new HashSet<string>(StringComparer.Ordinal);

        // Without a driver no GPU provider can load: say so once, plainly, instead of a warning per provider on
        // every start of every CPU-only box. With a driver, a provider that fails is worth a warning each.
        var gpus = options.ExecutionProviders.Where(p => p is ExecutionProvider.TensorRt or ExecutionProvider.Cuda).Distinct(StringComparer.Ordinal).ToArray();
        if (gpus.Length > 0 && !(nvidiaDriverPresent ?? NvidiaDriver.IsPresent)())
        {
            LogNoDriver(logger, string.Join(" and ", gpus));
            unavailable.UnionWith(gpus);
        }

        while (true)
        {
            using var sessionOptions = CreateSessionOptions(options);
            if (profilePrefix is not null)
            {
                // The prefix first: turning profiling on takes the prefix set at that moment.
                sessionOptions.ProfileOutputPathPrefix = profilePrefix;
                sessionOptions.EnableProfiling = true;
            }

            var providerOptions = new List<IDisposable>();
            try
            {
                activeProvider = AppendProviders(sessionOptions, options, unavailable, providerOptions, logger);
                try
                {
                    return new InferenceSession(modelPath, sessionOptions);
                }
                catch (OnnxRuntimeException ex) when (activeProvider != ExecutionProvider.Cpu)
                {
                    // A provider library can load and still fail on the device (no GPU, driver too old).
                    // Try again without it; a broken model then fails on the CPU with its own message.
                    LogProviderUnavailable(logger, activeProvider, OneLine(ex.Message));
                    unavailable.Add(activeProvider);
                }
                catch (OnnxRuntimeException ex)
                {
                    throw new ModelException($"model file {modelPath} cannot be loaded by ONNX Runtime: {OneLine(ex.Message)}", ex);
                }
            }
            finally
            {
                // The session copies provider settings when it is created; the option objects can go now.
                foreach (var disposable in providerOptions)
                {
                    disposable.Dispose();
                }
            }
        }
    }

    private static SessionOptions CreateSessionOptions(DetectorOptions options)
    {
        var sessionOptions = new SessionOptions
        {
            IntraOpNumThreads = options.IntraOpThreads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,

            // Provider-load failures are reported once through our logger; ORT's own copy would repeat them.
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };

        // ORT's intra-op threads spin while waiting for work by default; between runs that burns the cores the
        // capture, decode and letterbox threads need (measured with `edgevision bench`, see README).
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", options.AllowSpinning ? "1" : "0");

        // The calling thread is pinned by OnnxDetector for each run; ORT's other intra-op threads (one fewer
        // than IntraOpThreads) take their sets from this entry: one per thread, ';'-separated, CPUs numbered from 1.
        if (options.Cpus is { Length: > 0 } cpus && options.IntraOpThreads > 1)
        {
            var set = string.Join(',', cpus.Select(cpu => (cpu + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)));
            sessionOptions.AddSessionConfigEntry("session.intra_op_thread_affinities", string.Join(';', Enumerable.Repeat(set, options.IntraOpThreads - 1)));
        }

        return sessionOptions;
    }

    /// <summary>Appends the providers in order and returns the first that was appended.</summary>
    private static string AppendProviders(
        SessionOptions sessionOptions,
        DetectorOptions options,
        HashSet<string> unavailable,
        List<IDisposable> providerOptions,
        ILogger logger)
    {
        string? first = null;
        foreach (var provider in options.ExecutionProviders.Distinct(StringComparer.Ordinal))
        {
            if (provider == ExecutionProvider.Cpu)
            {
                // ONNX Runtime always has the CPU provider, after any appended one; nothing to add.
                return first ?? ExecutionProvider.Cpu;
            }

            if (unavailable.Contains(provider))
            {
                continue;
            }

            try
            {
                if (provider == ExecutionProvider.TensorRt)
                {
                    AppendTensorRt(sessionOptions, options.TensorRt, providerOptions);
                }
                else
                {
                    AppendCuda(sessionOptions, options.CudaDeviceId, providerOptions);
                }

                first ??= provider;
            }
            catch (Exception ex) when (ex is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException
                or IOException or UnauthorizedAccessException)
            {
                LogProviderUnavailable(logger, provider, OneLine(ex.Message));
                unavailable.Add(provider);
            }
        }

        return first ?? throw new DetectorOptionsException(
            $"none of the execution providers {string.Join(", ", options.ExecutionProviders)} can run on this machine; add {ExecutionProvider.Cpu} to fall back to the processor");
    }

    private static void AppendTensorRt(SessionOptions sessionOptions, TensorRtOptions options, List<IDisposable> providerOptions)
    {
        var tensorRt = new OrtTensorRTProviderOptions();
        providerOptions.Add(tensorRt);
        var settings = new Dictionary<string, string>
        {
            ["device_id"] = options.DeviceId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["trt_fp16_enable"] = Flag(options.Fp16),
            ["trt_int8_enable"] = Flag(options.Int8),
            ["trt_engine_cache_enable"] = Flag(options.EngineCacheEnabled),
        };
        if (options.EngineCacheEnabled)
        {
            Directory.CreateDirectory(options.EngineCachePath);
            settings["trt_engine_cache_path"] = options.EngineCachePath;
        }

        tensorRt.UpdateOptions(settings);
        sessionOptions.AppendExecutionProvider_Tensorrt(tensorRt);
    }

    private static void AppendCuda(SessionOptions sessionOptions, int deviceId, List<IDisposable> providerOptions)
    {
        var cuda = new OrtCUDAProviderOptions();
        providerOptions.Add(cuda);
        cuda.UpdateOptions(new Dictionary<string, string>
        {
            ["device_id"] = deviceId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        sessionOptions.AppendExecutionProvider_CUDA(cuda);
    }

    private static string Flag(bool value) => value ? "1" : "0";

    /// <summary>
    /// ONNX Runtime's load failure is a long line ending in the loader's own words ("… with error:
    /// libcublas.so.13: cannot open shared object file …"); those words are what a user can act on.
    /// </summary>
    internal static string OneLine(string message)
    {
        var line = string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        const string marker = "with error: ";
        var at = line.LastIndexOf(marker, StringComparison.Ordinal);
        return at >= 0 ? line[(at + marker.Length)..] : line;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "No NVIDIA driver on this machine: {Providers} not tried")]
    private static partial void LogNoDriver(ILogger logger, string providers);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Execution provider {Provider} is unavailable ({Reason}); falling back to the next one")]
    private static partial void LogProviderUnavailable(ILogger logger, string provider, string reason);
}
