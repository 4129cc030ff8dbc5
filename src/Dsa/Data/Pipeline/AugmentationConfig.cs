namespace Dsa.Data.Pipeline;

/// <summary>
/// Training augmentation, the paper's ranges ("rotation [-45, 45], scale [0.65, 1.35], truncation, flip")
/// with HRNet's probabilities (flip 0.5, rotation applied 60 % of the time, half body 0.3 when more than 8
/// joints are labelled). Rotation and scale draw from a standard normal truncated to [-1, 1] times the
/// factor, as MMPose's RandomBBoxTransform does (HRNet clips an untruncated normal instead).
/// </summary>
public sealed record AugmentationConfig
{
    public double FlipProbability { get; init; } = 0.5;
    /// <summary>Maximum rotation in degrees (the paper's 45).</summary>
    public double RotationFactor { get; init; } = 45;
    public double RotationProbability { get; init; } = 0.6;
    /// <summary>Scale = 1 + factor * t, t in [-1, 1] (the paper's [0.65, 1.35]).</summary>
    public double ScaleFactor { get; init; } = 0.35;
    public double HalfBodyProbability { get; init; } = 0.3;
    /// <summary>HRNet's num_joints_half_body: half body only when MORE than this many joints are labelled.</summary>
    public int HalfBodyMinJoints { get; init; } = 8;
    /// <summary>Chance of keeping the upper body: HRNet tests randn() &lt; 0.5 (about 0.69), MMPose's upper_prioritized_prob is 0.7.</summary>
    public double UpperBodyProbability { get; init; } = 0.7;
    /// <summary>HRNet enlarges the half-body box by 1.5.</summary>
    public double HalfBodyScale { get; init; } = 1.5;
    /// <summary>Upper-body joints (PoseTrack ids: wrists, elbows, shoulders, neck, nose, head top); the rest are lower body.</summary>
    public IReadOnlyList<int> UpperBodyJoints { get; init; } = [6, 7, 8, 9, 10, 11, 12, 13, 14];

    /// <summary>No augmentation (evaluation).</summary>
    public static AugmentationConfig None { get; } = new()
    {
        FlipProbability = 0, RotationProbability = 0, ScaleFactor = 0, HalfBodyProbability = 0,
    };
}
