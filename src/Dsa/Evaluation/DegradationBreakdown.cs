using Dsa.Data;
using Dsa.Data.Synthetic;
using Microsoft.Data.Analysis;

namespace Dsa.Evaluation;

/// <summary>
/// Where a model's accuracy comes from on synthetic videos: poseval AP on the sharp frames alone and on the
/// motion-blurred frames alone, and PCKh@0.5 on the visible joints alone and on the occluded joints alone
/// (blur and occlusion as <see cref="SyntheticVideoGenerator"/> recorded them in its meta files). The paper's
/// claim is that aligned neighbours give "robustness in challenging cases such as occlusion or blur" (Introduction;
/// Fig. 3); overall mAP mixes those frames with clean ones, so the claim is tested on these subsets.
/// <para>
/// AP subsets keep the video structure: a frame outside the subset keeps its place with no GT and no predicted
/// people, which poseval drops (its rule 2), so frames still pair by position. PCKh pairs each GT person with
/// the predicted person of the same track id (the workbench's top-down predictions keep the GT box's track id,
/// as <see cref="FrameErrors"/> assumes); a GT person without a track id gets the prediction at its position
/// (as <see cref="Pckh"/> pairs). A missing prediction gets none of its joints right. A subset without GT joints
/// has no value (null in <see cref="Table"/>), not an AP of 0.
/// </para>
/// </summary>
/// <param name="Sharp">AP on the frames with exposure 0.</param>
/// <param name="Blurred">AP on the frames with exposure &gt; 0.</param>
/// <param name="Visible">PCKh@0.5 over the annotated joints the meta does not list as occluded, all frames.</param>
/// <param name="Occluded">PCKh@0.5 over the joints the meta lists as occluded, all frames.</param>
/// <param name="SharpFrames">GT frames with exposure 0 (with or without people).</param>
/// <param name="BlurredFrames">GT frames with exposure &gt; 0.</param>
/// <param name="VisibleFrames">GT frames with at least one visible annotated joint.</param>
/// <param name="OccludedFrames">GT frames with at least one occluded joint.</param>
public sealed record DegradationBreakdown(
    ApResult Sharp, ApResult Blurred, PckhResult Visible, PckhResult Occluded,
    int SharpFrames, int BlurredFrames, int VisibleFrames, int OccludedFrames)
{
    public const string ModelColumn = "Model";
    public const string SubsetColumn = "Subset";
    public const string MetricColumn = "Metric";
    public const string FramesColumn = "Frames";
    public const string JointsColumn = "Joints";
    public const string TotalColumn = "Total";

    /// <summary>GT joints in the sharp frames (poseval's count, after its cleanup).</summary>
    public int SharpJoints => Sharp.GtJoints.Sum();
    public int BlurredJoints => Blurred.GtJoints.Sum();
    public int VisibleJoints => Visible.Annotated.Sum();
    public int OccludedJoints => Occluded.Annotated.Sum();

    /// <summary>The four subsets in table order: (subset, metric, frames, joints, the paper's 7 columns, total). Subsets are
    /// "sharp" and "blurred" frames (metric "AP", poseval's) and "visible" and "occluded" joints (metric "PCKh", at 0.5).</summary>
    public IReadOnlyList<(string Subset, string Metric, int Frames, int Joints, IReadOnlyDictionary<string, double> Columns, double Total)> Subsets =>
    [
        ("sharp", "AP", SharpFrames, SharpJoints, Sharp.Columns, Sharp.Total),
        ("blurred", "AP", BlurredFrames, BlurredJoints, Blurred.Columns, Blurred.Total),
        ("visible", "PCKh", VisibleFrames, VisibleJoints, Visible.Columns, Visible.Total),
        ("occluded", "PCKh", OccludedFrames, OccludedJoints, Occluded.Columns, Occluded.Total),
    ];

    /// <summary>
    /// The breakdown of <paramref name="predictions"/> against <paramref name="groundTruth"/> (videos paired by name,
    /// frames by position) with each GT video's meta (see <see cref="DegradationBreakdownMetric"/>).
    /// </summary>
    public static DegradationBreakdown Evaluate(IReadOnlyList<VideoAnnotation> groundTruth, IReadOnlyList<VideoAnnotation> predictions,
        IEnumerable<SyntheticVideoMeta> meta) =>
        new DegradationBreakdownMetric(meta).Evaluate(groundTruth, predictions);

    /// <summary>
    /// The breakdown from disk: every GT file of <paramref name="gtDir"/>, the prediction file of the same name in
    /// <paramref name="predictionsDir"/> (as `dsa eval --gt --pred` pairs them), the meta files of <paramref name="metaDir"/>.
    /// </summary>
    public static DegradationBreakdown ForFolders(string gtDir, string predictionsDir, string metaDir)
    {
        var (gt, predictions) = PosetrackAp.ReadFolders(gtDir, predictionsDir);
        return Evaluate(gt, predictions, SyntheticVideoMeta.ReadFolder(metaDir).Values);
    }

    /// <summary>
    /// Models side by side: one row per subset and model (subset-major, so each subset's models are adjacent), columns
    /// Model, Subset, Metric, Frames, Joints, Head .. Ankle, Total; values in percent, null where the subset has no GT joints
    /// or a column has no joint.
    /// </summary>
    public static DataFrame Table(IEnumerable<(string Model, DegradationBreakdown Breakdown)> models)
    {
        var rows = models.ToList();
        var model = new StringDataFrameColumn(ModelColumn, 0);
        var subset = new StringDataFrameColumn(SubsetColumn, 0);
        var metric = new StringDataFrameColumn(MetricColumn, 0);
        var frames = new Int32DataFrameColumn(FramesColumn, 0);
        var joints = new Int32DataFrameColumn(JointsColumn, 0);
        var values = Skeleton.ReportColumns.Append(TotalColumn).Select(c => new DoubleDataFrameColumn(c, 0)).ToList();
        var frame = new DataFrame(new DataFrameColumn[] { model, subset, metric, frames, joints }.Concat(values));
        int subsets = rows.Count == 0 ? 0 : rows[0].Breakdown.Subsets.Count;
        for (int s = 0; s < subsets; s++)
            foreach (var (name, breakdown) in rows)
            {
                var row = breakdown.Subsets[s];
                double? Value(double v) => row.Joints == 0 || double.IsNaN(v) ? null : v;
                var cells = new List<KeyValuePair<string, object?>>
                {
                    new(ModelColumn, name), new(SubsetColumn, row.Subset), new(MetricColumn, row.Metric), new(FramesColumn, row.Frames), new(JointsColumn, row.Joints),
                };
                cells.AddRange(Skeleton.ReportColumns.Select(c => new KeyValuePair<string, object?>(c, Value(row.Columns[c]))));
                cells.Add(new(TotalColumn, Value(row.Total)));
                frame.Append(cells!, inPlace: true);
            }
        return frame;
    }
}
