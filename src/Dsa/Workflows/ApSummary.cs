using Dsa.Data;
using Dsa.Evaluation;

namespace Dsa.Workflows;

/// <summary>An AP result as a manifest or results file records it: per joint, the paper's columns and the mean (percent).</summary>
public sealed record ApSummary(int Videos, int FramesEvaluated, IReadOnlyDictionary<string, double> PerJoint,
    IReadOnlyDictionary<string, double> Columns, double MAP)
{
    public static ApSummary From(ApResult result, int videos) => new(videos, result.FramesEvaluated,
        Skeleton.PoseTrack.Joints.ToDictionary(j => j.Name, j => Math.Round(result.PerJoint[j.Id], 4)),
        Skeleton.ReportColumns.ToDictionary(c => c, c => Math.Round(result.Columns[c], 4)), Math.Round(result.Total, 4));
}
