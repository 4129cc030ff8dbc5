using System.Text.Json;
using Dsa.Evaluation;

namespace Dsa.Tests.Evaluation;

/// <summary>Our AP against the official poseval's numbers, case by case (expected.json).</summary>
public class PosetrackApParityTests
{
    public static IEnumerable<object[]> Cases() => PosevalCases.Names();

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Ap_columns_and_total_equal_poseval(string caseName)
    {
        string folder = PosevalCases.Folder(caseName);
        var expected = PosevalCases.Expected(folder);
        double tol = expected.GetProperty("tolerance_abs").GetDouble();
        var result = PosetrackAp.EvaluateFolders(Path.Combine(folder, "gt"), Path.Combine(folder, "pred"));

        foreach (var joint in PosevalCases.Joints)
            PosevalCases.Near(expected.GetProperty("per_joint").GetProperty(joint.Name), result.PerJoint[joint.Id], tol, $"{caseName} AP {joint.Name}");
        foreach (var column in expected.GetProperty("columns").EnumerateObject())
            PosevalCases.Near(column.Value, result.Columns[column.Name], tol, $"{caseName} column {column.Name}");
        Assert.Equal(expected.GetProperty("columns").EnumerateObject().Count(), result.Columns.Count);
        PosevalCases.Near(expected.GetProperty("total"), result.Total, tol, $"{caseName} total");
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Precision_recall_and_counts_equal_poseval(string caseName)
    {
        string folder = PosevalCases.Folder(caseName);
        var expected = PosevalCases.Expected(folder);
        double tol = expected.GetProperty("tolerance_abs").GetDouble();
        var result = PosetrackAp.EvaluateFolders(Path.Combine(folder, "gt"), Path.Combine(folder, "pred"));

        if (expected.TryGetProperty("per_joint_precision", out var pre))
            foreach (var joint in PosevalCases.Joints)
                PosevalCases.Near(pre.GetProperty(joint.Name), result.Precision[joint.Id], tol, $"{caseName} precision {joint.Name}");
        if (expected.TryGetProperty("per_joint_recall", out var rec))
            foreach (var joint in PosevalCases.Joints)
                PosevalCases.Near(rec.GetProperty(joint.Name), result.Recall[joint.Id], tol, $"{caseName} recall {joint.Name}");
        if (expected.TryGetProperty("total_precision", out var tp)) PosevalCases.Near(tp, result.TotalPrecision, tol, "total precision");
        if (expected.TryGetProperty("total_recall", out var tr)) PosevalCases.Near(tr, result.TotalRecall, tol, "total recall");

        if (!expected.TryGetProperty("counts", out var counts)) return;
        if (counts.TryGetProperty("frames_evaluated", out var frames)) Assert.Equal(frames.GetInt32(), result.FramesEvaluated);
        foreach (var (key, actual) in new (string, IReadOnlyList<int>)[]
                 {
                     ("gt_joints", result.GtJoints), ("pred_joints", result.PredictedJoints), ("true_positives", result.TruePositives),
                     ("unscored_pred_joints", result.UnscoredPredictedJoints), ("unscored_true_positives", result.UnscoredTruePositives),
                 })
        {
            if (!counts.TryGetProperty(key, out var perJoint)) continue;
            foreach (var joint in PosevalCases.Joints)
                if (perJoint.TryGetProperty(joint.PoseTrackName, out var v) && v.ValueKind == JsonValueKind.Number)
                    Assert.True(v.GetInt32() == actual[joint.Id], $"{caseName} {key} {joint.PoseTrackName}: expected {v.GetInt32()}, got {actual[joint.Id]}");
        }
    }
}
