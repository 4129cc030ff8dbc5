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
/// <param name="Displacement">[B, 2 (dy, dx), h, w]: only on the aligner's own entry (<see cref="TotalStage"/>), how far the
/// whole aligner moved the supporting feature at this level, where that is defined (the cascade, the coarse-to-fine
/// U-Net); null on stage entries.</param>
public sealed record AlignmentFields(string Stage, int Level, Tensor? Offset, Tensor? Mask, Tensor? Affine, Tensor? Displacement = null) : IDisposable
{
    /// <summary>The stage name of the aligner's own entry, which carries <see cref="Displacement"/>.</summary>
    public const string TotalStage = "total";

    /// <summary>The aligner's entry for a trace: <paramref name="displacement"/> kept in the graph for a graph trace, else a detached copy.</summary>
    public static AlignmentFields Total(Tensor displacement, IList<AlignmentFields> trace) =>
        new(TotalStage, 0, null, null, null, (trace is GraphAlignmentTrace ? displacement.alias() : displacement.detach().clone()).DetachFromDisposeScope());

    /// <summary>[B, 2 * 9, h, w] torchvision offsets (per tap dy, dx) -&gt; their mean over the taps [B, 2 (dy, dx), h, w].</summary>
    public static Tensor MeanOverTaps(Tensor offset) =>
        offset.reshape(offset.shape[0], -1, 2, offset.shape[2], offset.shape[3]).mean(new long[] { 1 });

    public void Dispose()
    {
        Offset?.Dispose();
        Mask?.Dispose();
        Affine?.Dispose();
        Displacement?.Dispose();
    }
}
