using static TorchSharp.torch;

namespace Dsa.Data.Pipeline;

/// <summary>
/// One batch. Owns its tensors: disposing the batch disposes them (the <see cref="DataLoader"/> does so
/// when the consumer moves on; clone a tensor to keep it longer).
/// </summary>
public sealed class PoseBatch : IDisposable
{
    /// <summary>[B, T, 3, H, W], key frame at T = 0, then the supporting frames in window order.</summary>
    public Tensor Frames { get; }
    /// <summary>[B, J, h, w].</summary>
    public Tensor Targets { get; }
    /// <summary>[B, J, 1] (HRNet's target_weight).</summary>
    public Tensor TargetWeights { get; }
    public IReadOnlyList<SampleMeta> Meta { get; }
    /// <summary>Index of each item in the dataset.</summary>
    public IReadOnlyList<int> Indices { get; }
    public bool IsDisposed { get; private set; }

    public int Count => Meta.Count;

    public PoseBatch(Tensor frames, Tensor targets, Tensor targetWeights, IReadOnlyList<SampleMeta> meta, IReadOnlyList<int> indices)
    {
        (Frames, Targets, TargetWeights, Meta, Indices) = (frames, targets, targetWeights, meta, indices);
    }

    /// <summary>Stacks prepared samples; all must share T, H, W, J, h, w.</summary>
    public static PoseBatch Collate(IReadOnlyList<EncodedSample> samples, IReadOnlyList<int> indices, int frameCount,
        int inputHeight, int inputWidth, int jointCount, int heatmapHeight, int heatmapWidth)
    {
        int b = samples.Count;
        int frameSize = frameCount * 3 * inputHeight * inputWidth, targetSize = jointCount * heatmapHeight * heatmapWidth;
        var frames = new float[b * frameSize];
        var targets = new float[b * targetSize];
        var weights = new float[b * jointCount];
        for (int i = 0; i < b; i++)
        {
            var s = samples[i];
            if (s.Frames.Length != frameSize || s.Target.Length != targetSize || s.TargetWeight.Length != jointCount)
                throw new InvalidOperationException($"Sample {indices[i]} ({s.Meta.Video}, frame {s.Meta.KeyFrame}) does not match the batch shape.");
            s.Frames.CopyTo(frames, i * frameSize);
            s.Target.CopyTo(targets, i * targetSize);
            s.TargetWeight.CopyTo(weights, i * jointCount);
        }
        return new PoseBatch(
            tensor(frames, new long[] { b, frameCount, 3, inputHeight, inputWidth }), // [B, T, 3, H, W]
            tensor(targets, new long[] { b, jointCount, heatmapHeight, heatmapWidth }), // [B, J, h, w]
            tensor(weights, new long[] { b, jointCount, 1 }), // [B, J, 1]
            samples.Select(s => s.Meta).ToArray(), indices.ToArray());
    }

    public void Dispose()
    {
        if (IsDisposed) return;
        IsDisposed = true;
        Frames.Dispose();
        Targets.Dispose();
        TargetWeights.Dispose();
    }
}
