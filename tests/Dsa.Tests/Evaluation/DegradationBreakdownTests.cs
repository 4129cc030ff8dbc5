using System.Text.Json;
using Dsa.Data;
using Dsa.Data.Formats;
using Dsa.Data.Synthetic;
using Dsa.Evaluation;
using Dsa.Tests.Infrastructure;

namespace Dsa.Tests.Evaluation;

[Collection(nameof(ConsoleCollection))]
public class DegradationBreakdownTests
{
    private const int J = 15;

    // Head box 30 x 40: diagonal 50, head size 0.6 x 50 = 30 px; 100 px off is 3.3 head sizes (a miss).
    private static PersonAnnotation Person(int track, double x0, Func<int, double>? dx = null, double? score = null) => new(track,
        Enumerable.Range(0, J).Select(j => new AnnotatedPoint(j, x0 + 10 * j + (dx?.Invoke(j) ?? 0), 50 + 5 * j, score, true)).ToList(),
        new Box(x0, 0, x0 + 30, 40), new Box(x0, 0, x0 + 150, 150), null);

    private static VideoAnnotation Video(string name, IEnumerable<IReadOnlyList<PersonAnnotation>> frames) => new(name, null, PoseTrackFormat.PoseTrack18,
        frames.Select((people, i) => new FrameAnnotation($"images/val/{Path.GetFileNameWithoutExtension(name)}/{i:D6}.jpg", i, i, true, people, Array.Empty<Polygon>())).ToList());

    /// <summary>Two people (tracks 1 and 2) in every frame.</summary>
    private static VideoAnnotation Truth(int frames, string name = "500001_mpii_val.json") =>
        Video(name, Enumerable.Range(0, frames).Select(_ => (IReadOnlyList<PersonAnnotation>)new[] { Person(1, 10), Person(2, 200) }));

    private static SyntheticVideoMeta Meta(double[] exposures, Func<int, int, int[]>? occluded = null, string name = "500001_mpii_val.json") =>
        new(name, null, exposures.Select((e, f) => new SyntheticFrameMeta(f, e, new Dictionary<int, IReadOnlySet<int>>
        {
            [1] = new HashSet<int>(occluded?.Invoke(f, 1) ?? []),
            [2] = new HashSet<int>(occluded?.Invoke(f, 2) ?? []),
        })).ToList());

    [Fact]
    public void PerfectOnSharpFramesAndFarOffOnBlurredOnesGives100And0()
    {
        double[] exposure = [0, 1.5, 0, 0.5, 0];
        var gt = Truth(exposure.Length);
        // Predictions listed in reverse track order, each with a score; 100 px off on the blurred frames.
        var predicted = Video(gt.Name, exposure.Select(e => (IReadOnlyList<PersonAnnotation>)new[]
        {
            Person(2, 200, _ => e > 0 ? 100 : 0, 0.9), Person(1, 10, _ => e > 0 ? 100 : 0, 0.8),
        }));
        var b = DegradationBreakdown.Evaluate([gt], [predicted], [Meta(exposure)]);
        Assert.Equal(100, b.Sharp.Total, 9);
        Assert.Equal(0, b.Blurred.Total, 9);
        Assert.All(b.Sharp.Columns.Values, v => Assert.Equal(100, v, 9));
        Assert.Equal((3, 2), (b.SharpFrames, b.BlurredFrames));
        Assert.Equal((3 * 2 * J, 2 * 2 * J), (b.SharpJoints, b.BlurredJoints));
        Assert.Equal((3, 2), (b.Sharp.FramesEvaluated, b.Blurred.FramesEvaluated));
        // The whole set mixes both: neither number.
        double overall = PosetrackAp.Evaluate([gt], [predicted]).Total;
        Assert.InRange(overall, 1, 99);
        // No occlusion in the meta: every joint is visible and the blurred ones are missed.
        Assert.Equal(5 * 2 * J, b.VisibleJoints);
        Assert.Equal(100.0 * 3 / 5, b.Visible.Total, 9);
        Assert.Equal((0, 0), (b.OccludedJoints, b.OccludedFrames));
    }

    [Fact]
    public void MispredictedOccludedJointsGiveOccludedPckh0AndVisible100()
    {
        double[] exposure = [0, 0, 2, 0];
        int[] covered = [3, 4, 12]; // PoseTrack 2017 ids: l_hip, l_knee, neck
        // Track 1 has the covered joints in frames 1 and 2, track 2 never.
        int[] Occluded(int f, int track) => track == 1 && f is 1 or 2 ? covered : [];
        var gt = Truth(exposure.Length);
        // Predicted in reverse person order (pairing must go by track id, not position): exact except
        // for track 1's covered joints in frames 1 and 2, 100 px off.
        var predicted = Video(gt.Name, Enumerable.Range(0, exposure.Length).Select(f => (IReadOnlyList<PersonAnnotation>)new[]
        {
            Person(2, 200, null, 0.9),
            Person(1, 10, j => Occluded(f, 1).Contains(j) ? 100 : 0, 0.9),
        }));
        var b = DegradationBreakdown.Evaluate([gt], [predicted], [Meta(exposure, Occluded)]);
        Assert.Equal(0, b.Occluded.Total, 9);
        Assert.Equal(100, b.Visible.Total, 9);
        Assert.Equal(2 * covered.Length, b.OccludedJoints);
        Assert.Equal(exposure.Length * 2 * J - 2 * covered.Length, b.VisibleJoints);
        Assert.Equal(2, b.OccludedFrames);
        Assert.Equal(4, b.VisibleFrames);
        for (int j = 0; j < J; j++)
            if (covered.Contains(j)) Assert.Equal(0, b.Occluded.PerJoint[j]);
            else Assert.True(double.IsNaN(b.Occluded.PerJoint[j]), $"joint {j} has no occluded GT, so no value");
    }

    [Fact]
    public void TableHasOneRowPerSubsetAndModelWithNoValueForAnEmptySubset()
    {
        double[] exposure = [0, 0, 0];
        var gt = Truth(exposure.Length);
        var exact = Video(gt.Name, gt.Frames.Select(f => f.People));
        var off = Video(gt.Name, gt.Frames.Select(f => (IReadOnlyList<PersonAnnotation>)f.People.Select(p => Person(p.TrackId!.Value, p.HeadBox!.Value.X1, _ => 100)).ToList()));
        var meta = Meta(exposure);
        var table = DegradationBreakdown.Table([("DSA", DegradationBreakdown.Evaluate([gt], [exact], [meta])), ("baseline", DegradationBreakdown.Evaluate([gt], [off], [meta]))]);
        Assert.Equal(8, table.Rows.Count);
        var model = table.Columns[DegradationBreakdown.ModelColumn];
        var subset = table.Columns[DegradationBreakdown.SubsetColumn];
        var total = table.Columns[DegradationBreakdown.TotalColumn];
        var joints = table.Columns[DegradationBreakdown.JointsColumn];
        Assert.Equal(["DSA", "baseline", "DSA", "baseline", "DSA", "baseline", "DSA", "baseline"], Enumerable.Range(0, 8).Select(r => (string)model[r]));
        Assert.Equal(["sharp", "sharp", "blurred", "blurred", "visible", "visible", "occluded", "occluded"], Enumerable.Range(0, 8).Select(r => (string)subset[r]));
        Assert.Equal(100.0, (double)total[0]!, 9);
        Assert.Equal(0.0, (double)total[1]!, 9);
        // No blurred frame and no occluded joint: no value (not an AP of 0).
        foreach (int r in new[] { 2, 3, 6, 7 })
        {
            Assert.Null(total[r]);
            Assert.Equal(0, (int)joints[r]!);
            foreach (string c in Skeleton.ReportColumns) Assert.Null(table.Columns[c][r]);
        }
        Assert.Equal(100.0, (double)table.Columns["Ankle"][4]!, 9);
    }

    private static string WriteMeta(string dir, string fileName, string json)
    {
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, fileName);
        File.WriteAllText(path, json);
        return path;
    }

    private const string GoodFrame = """{"frame":0,"exposure":0,"people":[{"track_id":1,"occluded_joints":[]}]}""";

    [Theory]
    [InlineData("""{"video":"v.json","frames":[GOOD,{"frame":1,"exposure":"abc","people":[]}]}""", "frames[1]", "'exposure'")]
    [InlineData("""{"video":"v.json","frames":[GOOD,{"frame":1,"exposure":-1,"people":[]}]}""", "frames[1]", "'exposure'")]
    [InlineData("""{"video":"v.json","frames":[GOOD,{"frame":1,"exposure":0,"people":[{"track_id":1,"occluded_joints":[2,15]}]}]}""", "frames[1].people[0]", "'occluded_joints[1]'")]
    [InlineData("""{"video":"v.json","frames":[GOOD,{"frame":1,"exposure":0,"people":[{"track_id":1,"occluded_joints":[]},{"track_id":1,"occluded_joints":[]}]}]}""", "frames[1].people[1]", "'track_id'")]
    [InlineData("""{"video":"v.json","frames":[GOOD,{"frame":0,"exposure":0,"people":[]}]}""", "frames[1]", "'frame'")]
    [InlineData("""{"video":"v.json","frames":[GOOD,{"frame":1,"exposure":0}]}""", "frames[1]", "'people'")]
    [InlineData("""{"frames":[GOOD]}""", "root", "'video'")]
    public void AMalformedMetaFileIsAnErrorNamingTheFileRecordAndField(string json, string record, string field)
    {
        using var dir = new TempDir();
        string path = WriteMeta(dir.Path, "v.json", json.Replace("GOOD", GoodFrame));
        var e = Assert.Throws<InvalidDataException>(() => SyntheticVideoMeta.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(record, e.Message);
        Assert.Contains(field, e.Message);
    }

    [Fact]
    public void MetaReadsWhatItStates()
    {
        using var dir = new TempDir();
        string path = WriteMeta(dir.Path, "v.json", """{"video":"v.json","frames":[{"frame":1,"exposure":0.25,"people":[{"track_id":7,"occluded_joints":[14,3]}]},""" + GoodFrame + "]}");
        var meta = SyntheticVideoMeta.Read(path);
        Assert.Equal(("v.json", path), (meta.Video, meta.SourcePath));
        Assert.Equal([0.0, 0.25], meta.Frames.Select(f => f.Exposure));
        Assert.Equal([false, true], meta.Frames.Select(f => f.Blurred));
        Assert.Equal(new HashSet<int> { 3, 14 }, meta.Frames[1].OccludedJoints[7]);
    }

    [Fact]
    public void MetaMissingAFrameTheGtHasIsAnErrorNamingBothFiles()
    {
        using var dir = new TempDir();
        var gt = Truth(4);
        string metaDir = Path.Combine(dir.Path, "meta");
        string json = JsonSerializer.Serialize(new
        {
            video = gt.Name,
            frames = Enumerable.Range(0, 3).Select(f => new { frame = f, exposure = 0, people = new[] { new { track_id = 1, occluded_joints = Array.Empty<int>() }, new { track_id = 2, occluded_joints = Array.Empty<int>() } } }),
        });
        string path = WriteMeta(metaDir, gt.Name, json);
        var e = Assert.Throws<InvalidDataException>(() => DegradationBreakdown.Evaluate([gt], [gt], SyntheticVideoMeta.ReadFolder(metaDir).Values));
        Assert.Contains(path, e.Message);
        Assert.Contains("'frames'", e.Message);
        Assert.Contains(gt.Name, e.Message);
        Assert.Contains("frame 3", e.Message);
        Assert.Contains(gt.Frames[3].ImagePath, e.Message);
    }

    [Fact]
    public void MetaThatDisagreesWithTheGtIsAnError()
    {
        var gt = Truth(2);
        var noMeta = Assert.Throws<InvalidDataException>(() => DegradationBreakdown.Evaluate([gt], [gt], [Meta([0, 0], name: "other.json")]));
        Assert.Contains($"'{gt.Name}'", noMeta.Message);
        var missingPerson = new SyntheticVideoMeta(gt.Name, "m.json", [
            new SyntheticFrameMeta(0, 0, new Dictionary<int, IReadOnlySet<int>> { [1] = new HashSet<int>(), [2] = new HashSet<int>() }),
            new SyntheticFrameMeta(1, 0, new Dictionary<int, IReadOnlySet<int>> { [1] = new HashSet<int>() }),
        ]);
        var e = Assert.Throws<InvalidDataException>(() => DegradationBreakdown.Evaluate([gt], [gt], [missingPerson]));
        Assert.Contains("m.json: frames[1]", e.Message);
        Assert.Contains("track_id 2", e.Message);
        var gtWithoutAnkle = Video(gt.Name, gt.Frames.Select(f => (IReadOnlyList<PersonAnnotation>)f.People.Select(p => p with { Points = p.Points!.Where(q => q.Id != 0).ToList() }).ToList()));
        var unannotated = Assert.Throws<InvalidDataException>(() => DegradationBreakdown.Evaluate([gtWithoutAnkle], [gtWithoutAnkle], [Meta([0, 0], (_, _) => [0])]));
        Assert.Contains("occluded joint 0", unannotated.Message);
    }

    [Fact]
    public void GeneratedSetsMetaAgreesWithItsAnnotationsAndARunWithExactPredictionsScores100Everywhere()
    {
        using var dir = new TempDir();
        string data = Path.Combine(dir.Path, "data");
        var summary = new SyntheticVideoGenerator(new SyntheticVideoConfig
        {
            TrainVideos = 0, ValVideos = 1, Frames = 12, People = 3, Width = 96, Height = 72, Blur = 3, Occlusion = 1, Seed = 5,
        }).Write(data);
        Assert.True(summary.OccludedJoints > 0 && summary.BlurredFrames > 0, $"the set should have occlusion and blur: {summary}");
        var gt = PoseTrackReader.ReadFolder(Path.Combine(data, "annotations", "val"));
        var meta = SyntheticVideoMeta.ReadFolder(SyntheticVideoMeta.Folder(data, "val"));
        foreach (var video in gt)
            for (int f = 0; f < video.Frames.Count; f++)
                foreach (var person in video.Frames[f].People)
                    Assert.Equal(person.Points!.Where(p => p.Visible == false).Select(p => p.Id).ToHashSet(), meta[video.Name].Frames[f].OccludedJoints[person.TrackId!.Value]);

        string run = Path.Combine(dir.Path, "run");
        var folder = Dsa.Workflows.RunFolder.Create(run);
        foreach (var video in gt) File.Copy(video.SourcePath!, Path.Combine(folder.PredictionsDir, video.Name));
        var b = folder.DegradationBreakdown(data);
        Assert.Equal(summary.BlurredFrames, b.BlurredFrames);
        Assert.Equal(summary.Frames, b.SharpFrames + b.BlurredFrames);
        Assert.Equal(summary.OccludedJoints, b.OccludedJoints);
        Assert.Equal(summary.Joints, b.VisibleJoints + b.OccludedJoints);
        Assert.Equal(summary.Joints, b.SharpJoints + b.BlurredJoints);
        foreach (double total in new[] { b.Sharp.Total, b.Blurred.Total, b.Visible.Total, b.Occluded.Total }) Assert.Equal(100, total, 9);

        var (exit, error) = DsaCli.Run("eval", "--gt", Path.Combine(data, "annotations", "val"), "--pred", Path.Combine(run, "predictions"), "--breakdown");
        Assert.Equal(2, exit);
        Assert.Contains("--meta", error);
        (exit, error) = DsaCli.Run("eval", "--gt", Path.Combine(data, "annotations", "val"), "--pred", Path.Combine(run, "predictions"), "--breakdown", "--meta", SyntheticVideoMeta.Folder(data, "val"));
        Assert.True(exit == 0, $"exit {exit}: {error}");
        (exit, error) = DsaCli.Run("eval", "--gt", Path.Combine(data, "annotations", "val"), "--pred", Path.Combine(run, "predictions"), "--breakdown", "--meta", Path.Combine(data, "annotations", "val"));
        Assert.Equal(1, exit);
        Assert.Contains("'video'", error); // an annotation file is not a meta file
    }
}
