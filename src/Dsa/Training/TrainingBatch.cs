using Dsa.Data.Pipeline;
using static TorchSharp.torch;

namespace Dsa.Training;

/// <summary>What one optimisation step consumes.</summary>
/// <param name="Frames">[B, T, 3, H, W], key frame first.</param>
/// <param name="Targets">Target heatmaps [B, J, h, w].</param>
/// <param name="TargetWeights">Visibility weights v_j [B, J] or [B, J, 1].</param>
/// <param name="Motion">The batch's annotated joint motion; only for the diagnostics that need it (offset supervision, ground-truth-flow alignment).</param>
public sealed record TrainingBatch(Tensor Frames, Tensor Targets, Tensor TargetWeights, JointMotionBatch? Motion = null) : IDisposable
{
    public long Count => Frames.shape[0];

    public void Dispose()
    {
        Frames.Dispose();
        Targets.Dispose();
        TargetWeights.Dispose();
        Motion?.Dispose();
    }
}
