namespace Dsa.Nn;

/// <summary>Which code computes <see cref="DeformConv.DeformConv2d"/>; every choice has torchvision's semantics.</summary>
public enum DeformConvImplementation
{
    /// <summary><see cref="Im2Col"/> where it applies (CPU float32), otherwise <see cref="GridSample"/>.</summary>
    Auto,

    /// <summary>
    /// One grid_sample over all taps, the mask product and a grouped matmul, differentiated by libtorch's autograd:
    /// any dtype and device.
    /// </summary>
    GridSample,

    /// <summary>
    /// torchvision's deformable im2col with its exact backward written out (SIMD C# sampling, libtorch GEMM):
    /// CPU float32 only, and several times faster there.
    /// </summary>
    Im2Col,
}
