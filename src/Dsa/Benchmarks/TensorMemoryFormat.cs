using static TorchSharp.torch;

namespace Dsa.Benchmarks;

/// <summary>
/// The memory format of a tensor as PyTorch names it, read from its strides: TorchSharp 0.107 has no
/// <c>is_contiguous(memory_format)</c>, and the training profile compares the activations' layout with the PyTorch
/// mirror's (oneDNN and some CPU kernels are faster channels-last).
/// </summary>
public static class TensorMemoryFormat
{
    public const string Contiguous = "contiguous";
    public const string ChannelsLast = "channels_last";
    public const string Strided = "strided";

    /// <summary>
    /// <see cref="Contiguous"/> (row-major, NCHW for 4-d), else <see cref="ChannelsLast"/> for a 4-d tensor laid out
    /// NHWC, else <see cref="Strided"/>. Contiguous is tested first, as the mirror does, so a tensor that is both (one
    /// channel, or 1x1 pixels) reads the same on both sides.
    /// </summary>
    public static string Describe(Tensor tensor)
    {
        if (tensor.is_contiguous()) return Contiguous;
        if (tensor.dim() != 4) return Strided;
        long[] size = tensor.shape, stride = tensor.stride();
        // NHWC: C steps by 1, W by C, H by W*C, N by H*W*C; a dimension of size 1 may have any stride.
        long expected = 1;
        foreach (int d in new[] { 1, 3, 2, 0 })
        {
            if (size[d] != 1 && stride[d] != expected) return Strided;
            expected *= size[d];
        }
        return ChannelsLast;
    }
}
