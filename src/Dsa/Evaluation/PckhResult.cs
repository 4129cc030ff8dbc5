namespace Dsa.Evaluation;

/// <summary>Single-person PCKh per joint, in percent (indexed by PoseTrack 2017 joint id).</summary>
/// <param name="PerJoint">Correct / annotated per joint [15]; NaN for a joint no GT person has.</param>
/// <param name="Columns">The paper's 7 columns: means of the joints' values, ignoring NaN joints (e.g. Bonn has
/// no nose, so Head = mean of head_top and neck).</param>
/// <param name="Total">Mean of the non-NaN per-joint values.</param>
/// <param name="Correct">GT joints whose prediction lies within threshold x head size [15].</param>
/// <param name="Annotated">GT joints [15].</param>
public sealed record PckhResult(
    IReadOnlyList<double> PerJoint,
    IReadOnlyDictionary<string, double> Columns,
    double Total,
    IReadOnlyList<int> Correct,
    IReadOnlyList<int> Annotated) : IJointScores;
