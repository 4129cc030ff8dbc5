namespace Dsa.Data;

/// <summary>What <see cref="SyntheticVideoGenerator.Write"/> produced.</summary>
/// <param name="Root">The dataset root (annotations/, images/, meta/ below it).</param>
/// <param name="PersonInstances">Annotated people summed over frames.</param>
/// <param name="Joints">Annotated joints summed over people.</param>
/// <param name="OccludedJoints">Annotated joints covered by another person or an object (v = 0).</param>
/// <param name="BlurredFrames">Frames rendered with a non-zero exposure.</param>
public sealed record SyntheticVideoSummary(string Root, int Videos, int Frames, int PersonInstances, int Joints, int OccludedJoints, int BlurredFrames);
