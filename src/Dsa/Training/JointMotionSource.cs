using Dsa.Data;
using Dsa.Data.Pipeline;

namespace Dsa.Training;

/// <summary>
/// What <see cref="PoseTrackTrainingData"/> needs to attach each batch's annotated motion (<see cref="JointMotionBatch"/>):
/// the samples, their videos' annotations and the model's supporting offsets. Only the diagnostics that are not in the
/// paper ask for it (offset supervision, ground-truth-flow alignment).
/// </summary>
public sealed record JointMotionSource(IDataset<VideoSample> Samples, JointMotion Motion, IReadOnlyList<int> SupportOffsets, int Joints, HeatmapCodec Codec)
{
    public JointMotionBatch For(PoseBatch batch) =>
        JointMotionBatch.Build(batch.Indices.Select(i => Samples[i]).ToList(), batch.Meta, Motion, SupportOffsets, Joints, Codec);
}
