using static TorchSharp.torch;

namespace Dsa.Nn;

/// <summary>
/// What one alignment stage predicted, kept for the pictures (offset fields, masks, LEB kernels).
/// Tensors are detached copies owned by the caller.
/// </summary>
/// <param name="Stage">e.g. "enc0", "dec0", "cascade2".</param>
/// <param name="Level">Scale level: 0 = heatmap resolution, 1 = 1/2, ...</param>
/// <param name="Offset">GAB offsets [B, 2*og*9, h, w] (torchvision layout), null without GAB.</param>
/// <param name="Mask">GAB modulation [B, og*9, h, w], null without GAB.</param>
/// <param name="Affine">LEB [Q_yy, Q_yx, Q_xy, Q_xx, k_y, k_x] [B, 6, h, w], null without LEB.</param>
public sealed record AlignmentFields(string Stage, int Level, Tensor? Offset, Tensor? Mask, Tensor? Affine) : IDisposable
{
    /// <summary>[B, 2 * 9, h, w] torchvision offsets (per tap dy, dx) -&gt; their mean over the taps [B, 2 (dy, dx), h, w].</summary>
    public static Tensor MeanOverTaps(Tensor offset) =>
        offset.reshape(offset.shape[0], -1, 2, offset.shape[2], offset.shape[3]).mean(new long[] { 1 });

    public void Dispose()
    {
        Offset?.Dispose();
        Mask?.Dispose();
        Affine?.Dispose();
    }
}
