using Dsa.Data;

namespace Dsa.Evaluation;

/// <summary>
/// poseval's multi-person pose AP result (evaluateAP.computeMetrics), in percent. Arrays are
/// indexed by PoseTrack 2017 joint id (0 r_ankle ... 14 head_top); NaN where poseval reports NaN
/// (a joint the GT lacks but somebody predicts).
/// </summary>
/// <param name="PerJoint">AP per joint [15].</param>
/// <param name="Precision">poseval's <c>pre</c>: true positives / predicted joints [15].</param>
/// <param name="Recall">poseval's <c>rec</c>: true positives / GT joints [15].</param>
/// <param name="Columns">The paper's columns (Head, Shoulder, Elbow, Wrist, Hip, Knee, Ankle), poseval's getCum.</param>
/// <param name="Total">Mean of the non-NaN per-joint APs (the tables' mAP).</param>
/// <param name="FramesEvaluated">GT frames with at least one person (poseval drops the others).</param>
/// <param name="GtJoints">Annotated GT joints after dropping rects without points and ignore regions [15].</param>
/// <param name="PredictedJoints">Predicted joints that entered the AP lists [15].</param>
/// <param name="TruePositives">Of those, the true positives [15].</param>
/// <param name="UnscoredPredictedJoints">Predicted joints without a score (ranked at -9999) [15].</param>
/// <param name="UnscoredTruePositives">Of those, the true positives [15].</param>
/// <param name="PerVideo">The same metrics for each video alone (poseval's per-sequence output), keyed by
/// file name; empty inside a per-video result.</param>
public sealed record ApResult(
    IReadOnlyList<double> PerJoint,
    IReadOnlyList<double> Precision,
    IReadOnlyList<double> Recall,
    IReadOnlyDictionary<string, double> Columns,
    double Total,
    double TotalPrecision,
    double TotalRecall,
    int FramesEvaluated,
    IReadOnlyList<int> GtJoints,
    IReadOnlyList<int> PredictedJoints,
    IReadOnlyList<int> TruePositives,
    IReadOnlyList<int> UnscoredPredictedJoints,
    IReadOnlyList<int> UnscoredTruePositives,
    IReadOnlyDictionary<string, ApResult> PerVideo) : IJointScores
{
    /// <summary>AP of a joint by its workbench or PoseTrack name (r_ankle / right_ankle ...).</summary>
    public double Joint(string name) => PerJoint[Skeleton.PoseTrack.IndexOf(name)];
}
