using Dsa.Data;
using Dsa.Data.Pipeline;

namespace Dsa.Training;

/// <summary>What <see cref="PoseTrackTrainingData"/> needs to attach <see cref="OffsetTargets"/> to each batch: the samples, their videos' annotations and the model's supporting offsets.</summary>
public sealed record OffsetTargetSource(IDataset<VideoSample> Samples, JointMotion Motion, IReadOnlyList<int> SupportOffsets, int Joints, HeatmapCodec Codec)
{
    public OffsetTargets For(PoseBatch batch) =>
        OffsetTargets.Build(batch.Indices.Select(i => Samples[i]).ToList(), batch.Meta, Motion, SupportOffsets, Joints, Codec);
}
