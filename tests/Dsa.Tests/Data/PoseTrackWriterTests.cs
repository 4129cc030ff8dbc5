using Dsa.Data;
using Dsa.Data.Formats;
using Dsa.Tests.Infrastructure;

namespace Dsa.Tests.Data;

public class PoseTrackWriterTests
{
    private static string Case(params string[] parts) =>
        Fixtures.Require(new[] { "posetrack", "poseval_cases" }.Concat(parts).ToArray());

    [SkippableFact]
    public void Pt17_round_trip_keeps_every_point_exactly()
    {
        // Predictions with repeated ids, ids outside 0..14, rects without points, missing scores.
        var original = PoseTrackReader.ReadVideo(Case("bonn_public_seed0", "pred", "000002.json"));
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, original.Name);
        PoseTrackWriter.Write(original, path, PoseTrackFormat.PoseTrack17);
        var back = PoseTrackReader.ReadVideo(path);
        Assert.Equal(original.Frames.Count, back.Frames.Count);
        for (int f = 0; f < original.Frames.Count; f++)
        {
            var a = original.Frames[f];
            var b = back.Frames[f];
            Assert.Equal(a.ImagePath, b.ImagePath);
            Assert.Equal(a.People.Count, b.People.Count);
            for (int p = 0; p < a.People.Count; p++)
            {
                Assert.Equal(a.People[p].Points is null, b.People[p].Points is null);
                if (a.People[p].Points is not null) Assert.Equal(a.People[p].Points!, b.People[p].Points!);
                Assert.Equal(a.People[p].HeadBox, b.People[p].HeadBox);
                Assert.Equal(a.People[p].TrackId, b.People[p].TrackId);
            }
        }
    }

    [SkippableFact]
    public void Pt18_round_trip_keeps_joints_scores_and_ignore_regions()
    {
        foreach (var original in new[]
                 {
                     PoseTrackReader.ReadVideo(Case("posetrack18_mmpose_seed0", "pred", "003418_mpii_test.json")),
                     PoseTrackReader.ReadVideo(Case("posetrack18_mmpose_seed0", "gt", "003418_mpii_test.json")),
                     PoseTrackReader.ReadVideo(Case("bonn_060470979_pt18", "gt", "060470979.json")),
                 })
        {
            using var dir = new TempDir();
            string path = Path.Combine(dir.Path, original.Name);
            PoseTrackWriter.Write(original, path, PoseTrackFormat.PoseTrack18);
            var back = PoseTrackReader.ReadVideo(path);
            Assert.Equal(PoseTrackFormat.PoseTrack18, back.Format);
            Assert.Equal(original.Frames.Count, back.Frames.Count);
            for (int f = 0; f < original.Frames.Count; f++)
            {
                var a = original.Frames[f];
                var b = back.Frames[f];
                Assert.Equal(a.ImageId, b.ImageId);
                Assert.Equal(a.IgnoreRegions.Select(r => r.Vertices.ToList()), b.IgnoreRegions.Select(r => r.Vertices.ToList()));
                Assert.Equal(a.People.Count, b.People.Count);
                for (int p = 0; p < a.People.Count; p++)
                {
                    Assert.Equal(a.People[p].HeadBox, b.People[p].HeadBox);
                    var ja = a.People[p].JointArray();
                    var jb = b.People[p].JointArray();
                    for (int j = 0; j < 15; j++)
                    {
                        Assert.Equal(ja[j] is null, jb[j] is null);
                        if (ja[j] is null) continue;
                        Assert.Equal((ja[j]!.X, ja[j]!.Y, ja[j]!.Score), (jb[j]!.X, jb[j]!.Y, jb[j]!.Score));
                    }
                }
            }
        }
    }

    [Fact]
    public void Writer_rejects_what_poseval_rejects()
    {
        var person = new PersonAnnotation(1200, new[] { new AnnotatedPoint(0, 1, 2, 0.5, true) }, new Box(0, 0, 1, 1), null, null);
        var frame = new FrameAnnotation("images/val/000001_mpii_test/000000.jpg", 0, null, true, new[] { person }, Array.Empty<Polygon>());
        var video = new VideoAnnotation("v.json", null, PoseTrackFormat.PoseTrack17, new[] { frame });
        using var dir = new TempDir();
        var ex = Assert.Throws<ArgumentException>(() => PoseTrackWriter.Write(video, Path.Combine(dir.Path, "v.json"), PoseTrackFormat.PoseTrack17));
        Assert.Contains("track_id 1200", ex.Message);

        var bonnFrame = frame with { ImagePath = "videos/000002/00001.jpg", People = new[] { person with { TrackId = 3 } } };
        var ex18 = Assert.Throws<ArgumentException>(() => PoseTrackWriter.Write(video with { Frames = new[] { bonnFrame } },
            Path.Combine(dir.Path, "v.json"), PoseTrackFormat.PoseTrack18));
        Assert.Contains("000002", ex18.Message);
        Assert.False(File.Exists(Path.Combine(dir.Path, "v.json")));
    }

    [Fact]
    public void People_without_track_ids_get_unique_ones()
    {
        var people = Enumerable.Range(0, 3).Select(i =>
            new PersonAnnotation(i == 1 ? 0 : null, new[] { new AnnotatedPoint(0, i, i, 0.5, null) }, null, null, null)).ToArray();
        var frame = new FrameAnnotation("images/val/000001_mpii_test/000003.jpg", 0, null, null, people, Array.Empty<Polygon>());
        var video = new VideoAnnotation("v.json", null, PoseTrackFormat.PoseTrack17, new[] { frame });
        using var dir = new TempDir();
        foreach (var format in new[] { PoseTrackFormat.PoseTrack17, PoseTrackFormat.PoseTrack18 })
        {
            string path = Path.Combine(dir.Path, $"{format}.json");
            PoseTrackWriter.Write(video, path, format);
            var back = PoseTrackReader.ReadVideo(path);
            Assert.Equal(new int?[] { 1, 0, 2 }, back.Frames[0].People.Select(p => p.TrackId));
            if (format == PoseTrackFormat.PoseTrack18) Assert.Equal(10000010003L, back.Frames[0].ImageId);
        }
    }
}
