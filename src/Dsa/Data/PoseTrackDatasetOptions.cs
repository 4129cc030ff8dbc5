using Dsa.Data.Pipeline;

namespace Dsa.Data;

/// <summary>How a <see cref="PoseTrackVideoDataset"/> turns annotation files into samples.</summary>
public sealed record PoseTrackDatasetOptions
{
    public SupportingWindow Window { get; init; } = SupportingWindow.Default;
    public BoxSource BoxSource { get; init; } = BoxSource.AnnotatedBox;
    /// <summary>People with fewer labelled joints are skipped (HRNet skips num_keypoints == 0).</summary>
    public int MinLabeledJoints { get; init; } = 1;
    /// <summary>Only frames whose is_labeled is not false give key frames.</summary>
    public bool LabeledFramesOnly { get; init; } = true;
    public Skeleton Skeleton { get; init; } = Skeleton.PoseTrack;
}
