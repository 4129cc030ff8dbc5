namespace Dsa.Data.Pipeline;

/// <summary>A sample ready for batching, as flat arrays (tensors are made per batch).</summary>
/// <param name="Frames">[T, 3, H, W] normalised RGB, key frame first.</param>
/// <param name="Target">[J, h, w] Gaussian heatmaps.</param>
/// <param name="TargetWeight">[J] 1 for joints that count in the loss.</param>
/// <param name="Joints">[J] joints in network-input pixels after augmentation (for checks and drawing).</param>
public sealed record EncodedSample(float[] Frames, float[] Target, float[] TargetWeight, (double X, double Y)[] Joints, SampleMeta Meta);
