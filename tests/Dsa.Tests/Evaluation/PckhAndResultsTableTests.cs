using Dsa.Data;
using Dsa.Data.Formats;
using Dsa.Evaluation;
using Dsa.Tests.Infrastructure;

namespace Dsa.Tests.Evaluation;

public class PckhAndResultsTableTests
{
    private static VideoAnnotation BonnGt() =>
        PoseTrackReader.ReadVideo(Fixtures.Require("posetrack", "frames", "bonn_060470979", "gt_pt17.json"));

    /// <summary>Every point moved by <paramref name="fraction"/> x its person's head size along x.</summary>
    private static VideoAnnotation Shifted(VideoAnnotation gt, double fraction) => gt with
    {
        Frames = gt.Frames.Select(f => f with
        {
            People = f.People.Select(p =>
            {
                var h = p.HeadBox!.Value;
                double size = 0.6 * Math.Sqrt(h.Width * h.Width + h.Height * h.Height);
                return p with { Points = p.Points!.Select(pt => pt with { X = pt.X + fraction * size }).ToList() };
            }).ToList(),
        }).ToList(),
    };

    [SkippableFact]
    public void Pckh_counts_joints_within_half_a_head_size()
    {
        var gt = BonnGt();
        var near = Pckh.Evaluate(new[] { gt }, new[] { Shifted(gt, 0.45) });
        var far = Pckh.Evaluate(new[] { gt }, new[] { Shifted(gt, 0.55) });
        int annotatedJoints = gt.Frames.Sum(f => f.People.Sum(p => p.JointArray().Count(x => x is not null)));
        Assert.Equal(annotatedJoints, near.Annotated.Sum());
        for (int j = 0; j < 15; j++)
        {
            if (near.Annotated[j] == 0) { Assert.True(double.IsNaN(near.PerJoint[j])); continue; }
            Assert.Equal(100.0, near.PerJoint[j]);
            Assert.Equal(0.0, far.PerJoint[j]);
        }
        Assert.Equal(100.0, near.Total);
        Assert.Equal(100.0, near.Columns["Head"]); // Bonn has no nose: Head = mean of head_top and neck
        // Pairs API: a missing prediction gets nothing right.
        var people = gt.Frames[0].People;
        var half = Pckh.Evaluate(people.Select((p, i) => (p, i % 2 == 0 ? p : (PersonAnnotation?)null)));
        Assert.Equal(100.0 * people.Where((_, i) => i % 2 == 0).Sum(p => p.Points!.Count) / people.Sum(p => p.Points!.Count),
            100.0 * half.Correct.Sum() / half.Annotated.Sum(), 9);
    }

    [Fact]
    public void Paper_tables_hold_the_papers_rows()
    {
        var t1 = PaperResults.Table(PaperResults.PoseTrack17Val);
        Assert.Equal(ResultsTable.ColumnNames, t1.Frame.Columns.Select(c => c.Name));
        Assert.Equal(PaperResults.PoseTrack17Val.Count, t1.RowCount);
        Assert.Equal(77.8, t1["DSA", "mAP"]);
        Assert.Equal(73.6, t1["DSA", "Wrist"]);
        Assert.Equal(70.0, t1["DSA", "Ankle"]);
        Assert.Null(t1["JointFlow (Doering, Iqbal & Gall, 2018)", "Head"]);
        Assert.Equal(78.3, PaperResults.PoseTrack18Val.Single(r => r.Method == "DSA").Map);
        Assert.Equal(72.8, PaperResults.Badminton.Single(r => r.Method == "DSA").Map);
        Assert.Equal(new[] { 75.9, 77.5, 77.2, 74.3, 76.5, 72.6, 77.8 }, PaperResults.Ablation.Select(r => r.Map));
        Assert.Equal(75.9, PaperResults.UNetAblation[0].Map);
        // Each full row's mAP is consistent with its columns to the paper's rounding (Head counts 3 joints, the others 2).
        foreach (var row in PaperResults.All.Where(r => r.Columns.Values.All(v => v is not null)))
        {
            double mean = (3 * row.Columns["Head"]!.Value + 2 * row.Columns.Where(kv => kv.Key != "Head").Sum(kv => kv.Value!.Value)) / 15;
            Assert.True(Math.Abs(mean - row.Map) < 0.8, $"{row.Table} {row.Method}: columns give {mean:F2}, mAP {row.Map}");
        }
    }

    [SkippableFact]
    public void A_measured_row_is_added_beside_the_papers_rows()
    {
        var (gt, pred) = PosevalCases.Load("bonn_060470979_pt18");
        var result = PosetrackAp.Evaluate(gt, pred);
        var table = PaperResults.Table(PaperResults.PoseTrack17Val).AddRow("ours (fixture)", result);
        Assert.Equal(PaperResults.PoseTrack17Val.Count + 1, table.RowCount);
        Assert.Null(table["ours (fixture)", "Head"]); // NaN nose -> NaN Head -> missing
        Assert.Equal(result.Columns["Shoulder"], table["ours (fixture)", "Shoulder"]);
        Assert.Equal(result.Total, table["ours (fixture)", "mAP"]);
        Assert.Throws<ArgumentException>(() => table.AddRow("bad", new Dictionary<string, double?> { ["Neck"] = 1 }, 1));
    }
}
