namespace EdgeVision.Models;

/// <summary>How one image's three channels are laid out in a network input tensor.</summary>
public enum TensorLayout
{
    /// <summary>[N, C, H, W]: three planes one after another (PyTorch and most ONNX exports).</summary>
    Nchw,

    /// <summary>[N, H, W, C]: the channels of each pixel side by side (TensorFlow exports, quantized inputs).</summary>
    Nhwc,
}
