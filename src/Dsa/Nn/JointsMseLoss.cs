using static TorchSharp.torch;

namespace Dsa.Nn;

/// <summary>
/// The paper's eq. 7: L = 1/J * sum_j v_j * ||H_j - G_j||^2, computed as HRNet's JointsMSELoss does
/// (0.5 * mean squared error per joint over pixels and batch, with each joint's heatmaps multiplied
/// by its visibility weight, averaged over joints).
/// </summary>
public static class JointsMseLoss
{
    /// <param name="predicted">[B, J, h, w]</param>
    /// <param name="target">[B, J, h, w]</param>
    /// <param name="weight">[B, J] or [B, J, 1] visibility weights v_j</param>
    /// <returns>A scalar tensor.</returns>
    public static Tensor Compute(Tensor predicted, Tensor target, Tensor weight)
    {
        if (!predicted.shape.SequenceEqual(target.shape))
            throw new ArgumentException($"JointsMseLoss: predicted [{string.Join(", ", predicted.shape)}] and target [{string.Join(", ", target.shape)}] differ.");
        using var scope = NewDisposeScope();
        long b = predicted.shape[0], j = predicted.shape[1];
        var w = weight.reshape(b, j, 1, 1);
        var diff = (predicted - target) * w;
        return (0.5 * diff.pow(2).mean()).MoveToOuterDisposeScope();
    }
}
