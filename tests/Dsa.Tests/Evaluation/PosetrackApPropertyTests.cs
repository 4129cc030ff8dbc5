using Dsa.Data;
using Dsa.Evaluation;
using Dsa.Tests.Infrastructure;

namespace Dsa.Tests.Evaluation;

/// <summary>Properties any correct implementation of poseval's AP has, on the real GT of the fixture cases.</summary>
public class PosetrackApPropertyTests
{
    public static IEnumerable<object[]> Cases() => PosevalCases.Names();

    private static (IReadOnlyList<VideoAnnotation> Gt, IReadOnlyList<VideoAnnotation> Pred) Load(string caseName) =>
        PosevalCases.Load(caseName);

    /// <summary>GT turned into predictions: every point gets a distinct score from its position.</summary>
    internal static IReadOnlyList<VideoAnnotation> GtAsPredictions(IReadOnlyList<VideoAnnotation> gt, Func<AnnotatedPoint, int, AnnotatedPoint>? change = null)
    {
        int counter = 0;
        return gt.Select(v => v with
        {
            SourcePath = null,
            Frames = v.Frames.Select(f => f with
            {
                People = f.People.Select(p => p with
                {
                    Points = p.Points?.Select(pt =>
                    {
                        int k = counter++;
                        var scored = pt with { Score = 0.05 + 0.9 * ((k * 7919L) % 10007) / 10007.0 };
                        return change is null ? scored : change(scored, k);
                    }).ToList(),
                }).ToList(),
            }).ToList(),
        }).ToList();
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Perfect_predictions_give_100_on_every_annotated_joint(string caseName)
    {
        var (gt, _) = Load(caseName);
        var result = PosetrackAp.Evaluate(gt, GtAsPredictions(gt));
        for (int j = 0; j < 15; j++)
        {
            if (result.GtJoints[j] > 0) Assert.Equal(100.0, result.PerJoint[j], 9);
            else Assert.Equal(0.0, result.PerJoint[j]); // rule 18: nobody predicts a joint the GT lacks
        }
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Permuting_the_order_of_videos_changes_nothing(string caseName)
    {
        var (gt, pred) = Load(caseName);
        var baseline = PosetrackAp.Evaluate(gt, pred);
        AssertSame(baseline, PosetrackAp.Evaluate(gt.Reverse().ToList(), pred.Reverse().ToList()));
    }

    /// <summary>
    /// On predictions without equal-pck ties (GT + noise, each prediction clearly closest to its own
    /// person) the order of people in a frame cannot matter. With pck ties it can: poseval's
    /// assignGTmulti breaks them by index (rule 10), which the parity cases exercise.
    /// </summary>
    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Permuting_people_within_frames_changes_nothing(string caseName)
    {
        var (gt, _) = Load(caseName);
        var noisy = GtAsPredictions(gt, (pt, k) => pt with
        {
            X = pt.X + ((k * 37) % 23 - 11) * (k % 5 == 0 ? 3.0 : 0.5),
            Y = pt.Y + ((k * 53) % 19 - 9) * (k % 7 == 0 ? 3.0 : 0.5),
        });
        var baseline = PosetrackAp.Evaluate(gt, noisy);
        Assert.True(baseline.Total is > 5 and < 95, $"noise should make AP non-trivial, got {baseline.Total}");
        static IReadOnlyList<VideoAnnotation> Reverse(IReadOnlyList<VideoAnnotation> videos) =>
            videos.Select(v => v with { Frames = v.Frames.Select(f => f with { People = f.People.Reverse().ToList() }).ToList() }).ToList();
        AssertSame(baseline, PosetrackAp.Evaluate(gt, Reverse(noisy)));
        AssertSame(baseline, PosetrackAp.Evaluate(Reverse(gt), noisy));
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Adding_a_low_score_false_positive_never_raises_ap(string caseName)
    {
        var (gt, pred) = Load(caseName);
        var baseline = PosetrackAp.Evaluate(gt, pred);
        // A whole far-away person scored below everything else in every 7th frame.
        var ghost = new PersonAnnotation(9999, Enumerable.Range(0, 15).Where(j => baseline.GtJoints[j] > 0).Select(j => new AnnotatedPoint(j, -5000 - j, -5000, -1e6, true)).ToList(), null, null, null);
        var withGhost = pred.Select(v => v with
        {
            Frames = v.Frames.Select((f, i) => i % 7 == 0 ? f with { People = f.People.Append(ghost).ToList() } : f).ToList(),
        }).ToList();
        var result = PosetrackAp.Evaluate(gt, withGhost);
        bool anyAdded = false;
        for (int j = 0; j < 15; j++)
        {
            if (double.IsNaN(baseline.PerJoint[j])) { Assert.True(double.IsNaN(result.PerJoint[j])); continue; }
            Assert.True(result.PerJoint[j] <= baseline.PerJoint[j] + 1e-12, $"joint {j}: {result.PerJoint[j]} > {baseline.PerJoint[j]}");
            anyAdded |= result.PredictedJoints[j] > baseline.PredictedJoints[j];
        }
        Assert.True(anyAdded, "the false positives never entered the evaluation");
        Assert.Equal(baseline.TruePositives, result.TruePositives);
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Removing_all_predictions_gives_zero(string caseName)
    {
        var (gt, pred) = Load(caseName);
        var empty = pred.Select(v => v with { Frames = v.Frames.Select(f => f with { People = Array.Empty<PersonAnnotation>() }).ToList() }).ToList();
        var result = PosetrackAp.Evaluate(gt, empty);
        Assert.All(result.PerJoint, ap => Assert.Equal(0.0, ap));
        Assert.Equal(0.0, result.Total);
        Assert.All(result.Columns.Values, c => Assert.Equal(0.0, c));
        Assert.Equal(gt.Sum(v => v.Frames.Count(f => f.People.Count > 0)), result.FramesEvaluated);
    }

    [SkippableFact]
    public void Per_video_results_are_each_video_evaluated_alone()
    {
        var (gt, pred) = Load("bonn_public_seed0");
        var result = PosetrackAp.Evaluate(gt, pred);
        Assert.Equal(gt.Select(v => v.Name), result.PerVideo.Keys);
        var first = PosetrackAp.Evaluate(gt.Take(1).ToList(), pred);
        AssertSame(first, result.PerVideo[gt[0].Name]);
        Assert.Equal(result.FramesEvaluated, result.PerVideo.Values.Sum(v => v.FramesEvaluated));
        for (int j = 0; j < 15; j++) Assert.Equal(result.GtJoints[j], result.PerVideo.Values.Sum(v => v.GtJoints[j]));
    }

    [Fact]
    public void Frame_count_mismatch_and_missing_prediction_name_the_file()
    {
        var frame = new FrameAnnotation("v/1.jpg", 0, null, true,
            new[] { new PersonAnnotation(0, new[] { new AnnotatedPoint(0, 1, 1, null, true) }, new Box(0, 0, 10, 10), null, null) },
            Array.Empty<Polygon>());
        var gt = new VideoAnnotation("vid.json", "/gt/vid.json", PoseTrackFormat.PoseTrack17, new[] { frame, frame });
        var pred = gt with { SourcePath = "/pred/vid.json", Frames = new[] { frame } };
        var ex = Assert.Throws<InvalidDataException>(() => PosetrackAp.Evaluate(new[] { gt }, new[] { pred }));
        Assert.Contains("/pred/vid.json", ex.Message);
        var missing = Assert.Throws<InvalidDataException>(() => PosetrackAp.Evaluate(new[] { gt }, Array.Empty<VideoAnnotation>()));
        Assert.Contains("/gt/vid.json", missing.Message);
        var noHead = gt with { Frames = new[] { frame with { People = new[] { frame.People[0] with { HeadBox = null } } } } };
        var head = Assert.Throws<InvalidDataException>(() => PosetrackAp.Evaluate(new[] { noHead }, new[] { gt with { Frames = new[] { frame } } }));
        Assert.Contains("head box", head.Message);
        Assert.Contains("frame 0", head.Message);
        var zero = gt with { Frames = new[] { frame with { People = new[] { frame.People[0] with { HeadBox = new Box(3, 4, 3, 4) } } } } };
        var zeroEx = Assert.Throws<InvalidDataException>(() => PosetrackAp.Evaluate(new[] { zero }, new[] { gt with { Frames = new[] { frame } } }));
        Assert.Contains("zero size", zeroEx.Message);
        Assert.Contains("/gt/vid.json", zeroEx.Message);
    }

    [Fact]
    public void Ignore_region_contains_is_strict_as_shapely()
    {
        var square = new Polygon(new List<(double, double)> { (0, 0), (10, 0), (10, 10), (0, 10) });
        Assert.True(PosetrackAp.StrictlyInside(square, 5, 5));
        Assert.False(PosetrackAp.StrictlyInside(square, 10, 5)); // on an edge
        Assert.False(PosetrackAp.StrictlyInside(square, 0, 0));  // on a vertex
        Assert.False(PosetrackAp.StrictlyInside(square, 11, 5));
        var concave = new Polygon(new List<(double, double)> { (0, 0), (10, 0), (10, 10), (5, 2), (0, 10) });
        Assert.False(PosetrackAp.StrictlyInside(concave, 5, 6));
        Assert.True(PosetrackAp.StrictlyInside(concave, 5, 1));
    }

    [Fact]
    public void Ranking_orders_by_score_and_keeps_ties_in_the_order_of_appending()
    {
        var random = new Random(7);
        // Few distinct values (many ties), poseval's missing score, and -0.0 beside 0.0 (equal, so a tie).
        double[] values = [0.5, 0.25, -9999, 0.0, -0.0, 1, 0.75, 0.5000000000000001];
        foreach (int n in new[] { 0, 1, 2, 3, 7, 8, 9, 64, 100, 1000, 4097 })
        {
            var keys = Enumerable.Range(0, n).Select(_ => values[random.Next(values.Length)]).ToArray();
            var expected = Enumerable.Range(0, n).ToArray();
            // What the evaluation did before (Array.Sort with ties broken by index).
            Array.Sort(expected, (a, b) => keys[a] != keys[b] ? keys[a].CompareTo(keys[b]) : a.CompareTo(b));
            Assert.Equal(expected, PosetrackAp.StableOrder(keys));
        }
    }

    internal static void AssertSame(ApResult expected, ApResult actual)
    {
        for (int j = 0; j < 15; j++)
        {
            Assert.Equal(double.IsNaN(expected.PerJoint[j]), double.IsNaN(actual.PerJoint[j]));
            if (!double.IsNaN(expected.PerJoint[j])) Assert.Equal(expected.PerJoint[j], actual.PerJoint[j], 1e-9);
            Assert.Equal(expected.GtJoints[j], actual.GtJoints[j]);
            Assert.Equal(expected.TruePositives[j], actual.TruePositives[j]);
            Assert.Equal(expected.PredictedJoints[j], actual.PredictedJoints[j]);
        }
        Assert.Equal(expected.Total, actual.Total, 1e-9);
    }
}
