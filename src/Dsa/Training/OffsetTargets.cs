using Dsa.Data;
using Dsa.Data.Pipeline;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsa.Training;

/// <summary>
/// Where GAB's offsets would point if they followed the motion, for one batch: for each sample, supporting frame and
/// joint, the key joint's heatmap position and its true displacement to that frame, through the crop the sample was
/// prepared with (<see cref="JointMotion"/>). Used only by the offset-supervision diagnostic
/// (<see cref="TrainConfig.OffsetSupervision"/>), which is not in the paper: the paper trains GAB through the pose loss alone.
/// </summary>
/// <param name="Positions">[B, S, J, 2]: (x, y) of the key joint in heatmap pixels.</param>
/// <param name="Displacements">[B, S, J, 2]: (dy, dx) to supporting frame s, heatmap pixels (GAB's offset layout).</param>
/// <param name="Mask">[B, S, J]: 1 where both frames label the joint and it lies on the heatmap.</param>
public sealed record OffsetTargets(Tensor Positions, Tensor Displacements, Tensor Mask) : IDisposable
{
    /// <summary>The targets of <paramref name="samples"/> as prepared (<paramref name="meta"/>: their crops, flip included).</summary>
    public static OffsetTargets Build(IReadOnlyList<VideoSample> samples, IReadOnlyList<SampleMeta> meta, JointMotion motion,
        IReadOnlyList<int> offsets, int joints, HeatmapCodec codec)
    {
        int b = samples.Count, s = offsets.Count;
        var positions = new float[b * s * joints * 2];
        var displacements = new float[positions.Length];
        var mask = new float[b * s * joints];
        for (int i = 0; i < b; i++)
            for (int f = 0; f < s; f++)
                foreach (var joint in motion.Displacements(samples[i], offsets[f], meta[i].ImageToInput).Joints)
                {
                    var (x, y) = joint.Key;
                    if (!(x >= 0 && y >= 0 && x <= codec.HeatmapWidth - 1 && y <= codec.HeatmapHeight - 1)) continue;
                    int at = (i * s + f) * joints + joint.Joint;
                    (positions[2 * at], positions[2 * at + 1]) = ((float)x, (float)y);
                    (displacements[2 * at], displacements[2 * at + 1]) = ((float)joint.Dy, (float)joint.Dx);
                    mask[at] = 1;
                }
        return new OffsetTargets(tensor(positions, new long[] { b, s, joints, 2 }), tensor(displacements, new long[] { b, s, joints, 2 }),
            tensor(mask, new long[] { b, s, joints }));
    }

    /// <summary>
    /// The smooth-L1 distance between each supporting frame's mean offset over the nine taps (from <paramref name="offsets"/>,
    /// one [B, 2*9, h, w] field per supporting frame, torchvision layout: (dy, dx) per tap) at the key joints and the true
    /// displacement, averaged over the labelled (sample, frame, joint) triples; 0 when there is none.
    /// </summary>
    public Tensor Loss(IReadOnlyList<Tensor> offsets)
    {
        if (offsets.Count != Positions.shape[1])
            throw new ArgumentException($"{offsets.Count} offset fields for {Positions.shape[1]} supporting frames.", nameof(offsets));
        using var scope = NewDisposeScope();
        var device = offsets[0].device;
        var total = zeros(1, device: device).squeeze();
        for (int f = 0; f < offsets.Count; f++)
        {
            long h = offsets[f].shape[2], w = offsets[f].shape[3];
            var mean = Nn.AlignmentFields.MeanOverTaps(offsets[f]);                             // [B, 18, h, w] -> [B, 2 (dy, dx), h, w]
            var p = Positions.select(1, f).to(device);                                           // [B, J, 2] (x, y)
            var grid = torch.stack(new[] { p.select(2, 0) * (2.0 / (w - 1)) - 1, p.select(2, 1) * (2.0 / (h - 1)) - 1 }, dim: -1).unsqueeze(2); // [B, J, 1, 2]
            var sampled = nn.functional.grid_sample(mean, grid, align_corners: true).squeeze(3).permute(0, 2, 1); // [B, J, 2]
            var error = nn.functional.smooth_l1_loss(sampled, Displacements.select(1, f).to(device), reduction: nn.Reduction.None).sum(-1); // [B, J]
            total = total + (error * Mask.select(1, f).to(device)).sum();
        }
        var count = Mask.sum().item<float>();
        return (count > 0 ? total / count : total * 0).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        Positions.Dispose();
        Displacements.Dispose();
        Mask.Dispose();
    }
}
