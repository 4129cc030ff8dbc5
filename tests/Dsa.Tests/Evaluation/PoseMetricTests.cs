using Dsa.Data;
using Dsa.Evaluation;

namespace Dsa.Tests.Evaluation;

/// <summary>The metrics as objects: fed a video at a time, reset between passes, they give the one-call results.</summary>
public class PoseMetricTests
{
    public static IEnumerable<object[]> Cases() => PosevalCases.Names();

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void ApFedOneVideoAtATimeAfterAResetEqualsTheOneCallResult(string caseName)
    {
        var (gt, pred) = PosevalCases.Load(caseName);
        var expected = PosetrackAp.Evaluate(gt, pred);
        var metric = new PosetrackApMetric();
        // A first pass on half the videos, forgotten by Reset: the second pass must not carry any of it.
        foreach (var (g, p) in PoseMetrics.PairByName(gt.Take(Math.Max(1, gt.Count / 2)).ToList(), pred)) metric.Add(g, p);
        metric.Reset();
        foreach (var (g, p) in PoseMetrics.PairByName(gt, pred)) metric.Add(g, p);
        var actual = metric.Compute();
        PosetrackApPropertyTests.AssertSame(expected, actual);
        Assert.Equal(expected.PerVideo.Keys.Order(), actual.PerVideo.Keys.Order());
        Assert.Equal(Skeleton.PoseTrack.Count, actual.PerJoint.Count);
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void OnePassFeedsEveryMetricAndTheRecorderKeepsThePredictionsInGtOrder(string caseName)
    {
        var (gt, pred) = PosevalCases.Load(caseName);
        var (ap, pckh, recorder) = (new PosetrackApMetric(), new PckhMetric(), new PredictionRecorder());
        PoseMetrics.AddAll([ap, pckh, recorder], gt, pred.Reverse().ToList());
        PosetrackApPropertyTests.AssertSame(PosetrackAp.Evaluate(gt, pred), ap.Compute());
        Assert.Equal(Pckh.Evaluate(gt, pred).PerJoint, pckh.Compute().PerJoint);
        Assert.Equal(gt.Select(v => v.Name), recorder.Compute().Select(v => v.Name));
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void AVideoAddedTwiceIsAnErrorNamingIt(string caseName)
    {
        var (gt, pred) = PosevalCases.Load(caseName);
        var metric = new PosetrackApMetric();
        var (g, p) = PoseMetrics.PairByName(gt, pred).First();
        metric.Add(g, p);
        var e = Assert.Throws<ArgumentException>(() => metric.Add(g, p));
        Assert.Contains(g.Name, e.Message);
        var missing = Assert.Throws<InvalidDataException>(() => PoseMetrics.PairByName(gt, pred.Skip(1).ToList()).ToList());
        Assert.Contains("no prediction video", missing.Message);
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void OneTableTakesAnyJointScores(string caseName)
    {
        var (gt, pred) = PosevalCases.Load(caseName);
        IJointScores ap = PosetrackAp.Evaluate(gt, pred), pckh = Pckh.Evaluate(gt, pred);
        var table = new ResultsTable().AddRow("AP", ap).AddRow("PCKh", pckh);
        Assert.Equal(2, table.RowCount);
        Assert.Equal(pckh.Total, (double)table.Frame[1, table.Frame.Columns.IndexOf(ResultsTable.MapColumn)]!, 9);
    }

    [Fact]
    public void TheValidatorNeedsAnApMetricToScoreCheckpointsBy()
    {
        var e = Assert.Throws<ArgumentException>(() => new Dsa.Workflows.PoseTrackValidator(null!, null!, 1, [new PckhMetric(), new PredictionRecorder()]));
        Assert.Contains(nameof(PosetrackApMetric), e.Message);
    }
}
