using Dsa.Data.Pipeline;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsa.Training;

/// <summary>
/// The offset-supervision diagnostic's loss (<see cref="TrainConfig.OffsetSupervision"/>), which is not in the paper:
/// the paper trains GAB through the pose loss alone.
/// </summary>
public static class OffsetSupervisionLoss
{
    /// <summary>
    /// What the loss pulls for one supporting frame's trace: the aligner's whole displacement at full resolution where it
    /// reports one (the cascade, the coarse-to-fine U-Net), else the first full-resolution GAB's offsets averaged over the
    /// nine taps; [B, 2 (dy, dx), h, w], in the graph. Null when the row has neither (nothing to supervise).
    /// </summary>
    public static Tensor? SupervisedDisplacement(IReadOnlyList<Nn.AlignmentFields> trace) =>
        trace.FirstOrDefault(x => x.Stage == Nn.AlignmentFields.TotalStage)?.Displacement
        ?? (trace.FirstOrDefault(x => x.Level == 0)?.Offset is { } offset ? Nn.AlignmentFields.MeanOverTaps(offset) : null);

    /// <summary>
    /// The smooth-L1 distance between each supporting frame's displacement field (<paramref name="displacements"/>, one
    /// [B, 2 (dy, dx), h, w] per supporting frame) at the key joints of <paramref name="motion"/> and their true
    /// displacement, averaged over the labelled (sample, frame, joint) triples; 0 when there is none.
    /// </summary>
    public static Tensor Compute(JointMotionBatch motion, IReadOnlyList<Tensor> displacements)
    {
        if (displacements.Count != motion.Positions.shape[1])
            throw new ArgumentException($"{displacements.Count} displacement fields for {motion.Positions.shape[1]} supporting frames.", nameof(displacements));
        using var scope = NewDisposeScope();
        var device = displacements[0].device;
        var total = zeros(1, device: device).squeeze();
        for (int f = 0; f < displacements.Count; f++)
        {
            long h = displacements[f].shape[2], w = displacements[f].shape[3];
            var mean = displacements[f];                                                         // [B, 2 (dy, dx), h, w]
            var p = motion.Positions.select(1, f).to(device);                                    // [B, J, 2] (x, y)
            var grid = torch.stack(new[] { p.select(2, 0) * (2.0 / (w - 1)) - 1, p.select(2, 1) * (2.0 / (h - 1)) - 1 }, dim: -1).unsqueeze(2); // [B, J, 1, 2]
            var sampled = nn.functional.grid_sample(mean, grid, align_corners: true).squeeze(3).permute(0, 2, 1); // [B, J, 2]
            var error = nn.functional.smooth_l1_loss(sampled, motion.Displacements.select(1, f).to(device), reduction: nn.Reduction.None).sum(-1); // [B, J]
            total = total + (error * motion.Mask.select(1, f).to(device)).sum();
        }
        var count = motion.Mask.sum().item<float>();
        return (count > 0 ? total / count : total * 0).MoveToOuterDisposeScope();
    }
}
