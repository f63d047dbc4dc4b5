namespace EdgeVision.Models;

/// <summary>Settings of the TensorRT execution provider, passed on as its documented provider-option keys.</summary>
public sealed class TensorRtOptions
{
    /// <summary>trt_fp16_enable: let TensorRT pick FP16 kernels where the GPU has them.</summary>
    public bool Fp16 { get; set; } = true;

    /// <summary>trt_int8_enable: for INT8 (QDQ) models; TensorRT then uses the model's own scales.</summary>
    public bool Int8 { get; set; }

    /// <summary>trt_engine_cache_enable: building an engine takes minutes on a Jetson, so keep it between runs.</summary>
    public bool EngineCacheEnabled { get; set; } = true;

    /// <summary>trt_engine_cache_path.</summary>
    public string EngineCachePath { get; set; } =
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "edgevision", "tensorrt");

    /// <summary>device_id.</summary>
    public int DeviceId { get; set; }
}
