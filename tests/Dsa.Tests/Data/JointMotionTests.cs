using System.Text.Json.Nodes;
using Dsa.Data;
using Dsa.Data.Formats;
using Dsa.Data.Pipeline;
using Dsa.Data.Synthetic;
using Dsa.Tests.Infrastructure;

namespace Dsa.Tests.Data;

public class JointMotionTests
{
    private static readonly HeatmapCodec CpuSmall = HeatmapCodec.ForInput(96, 128); // heatmaps 32x24

    /// <summary>
    /// Two frames of one person (track 7) with a 60x160 box: the crop is widened to 120x160 (aspect 0.75) and enlarged to
    /// 150x200 px, so a heatmap pixel at 24x32 is 150 / 24 = 6.25 image px. Every joint moves (+10, -5) px: (1.6, -0.8)
    /// heatmap px, length sqrt(3.2). Joint 3 is unlabelled in frame 1; another person (track 8) is only in frame 1.
    /// </summary>
    private static VideoAnnotation TwoFrames()
    {
        PersonAnnotation Person(int track, double dx, double dy, int? missing) => new(track,
            Enumerable.Range(0, 15).Where(j => j != missing).Select(j => new AnnotatedPoint(j, 110 + 3 * j + dx, 110 + 10 * j + dy, null, true)).ToList(),
            null, new Box(100 + dx, 100 + dy, 160 + dx, 260 + dy), null);
        var frames = new[]
        {
            new FrameAnnotation("images/val/000001_mpii_val/000000.jpg", 0, null, true, new[] { Person(7, 0, 0, null) }, Array.Empty<Polygon>()),
            new FrameAnnotation("images/val/000001_mpii_val/000001.jpg", 1, null, true, new[] { Person(7, 10, -5, 3), Person(8, 40, 0, null) }, Array.Empty<Polygon>()),
        };
        return new VideoAnnotation("000001_mpii_val.json", null, PoseTrackFormat.PoseTrack18, frames);
    }

    [Fact]
    public void HandMadeTwoFrameVideoGivesTheKnownDisplacement()
    {
        var report = JointMotion.Measure(new[] { TwoFrames() }, CpuSmall, new JointMotionOptions { Offsets = new[] { -1, 1 } });
        Assert.Equal((24, 32, 3), (report.HeatmapWidth, report.HeatmapHeight, report.Samples));
        // Key frame 0: +1 matched, -1 outside. Key frame 1, track 7: -1 matched, +1 outside. Track 8: -1 unmatched, +1 outside.
        Assert.Equal((3, 1), (report.OutsideVideo, report.Unmatched));
        var pooled = report.AtDistance(1);
        Assert.Equal(28, pooled.Count); // 14 joints labelled in both frames, both directions
        foreach (var value in new[] { pooled.Median, pooled.P90, pooled.P99, pooled.Mean, pooled.Max })
            Assert.Equal(Math.Sqrt(1.6 * 1.6 + 0.8 * 0.8), value, 9);
        Assert.Equal(28, pooled.Histogram[(int)(Math.Sqrt(3.2) / pooled.BinWidth)]);
        Assert.Equal(new[] { 14, 14 }, report.ByOffset.Select(m => m.Distribution.Count));

        var motion = new JointMotion(new[] { TwoFrames() }, new TopDownPipeline(CpuSmall));
        var sample = new PoseTrackVideoDataset(new[] { TwoFrames() }, "").Samples[0];
        var (joints, gap) = motion.Displacements(sample, 1);
        Assert.Equal(JointMotion.Gap.None, gap);
        Assert.All(joints, j => { Assert.Equal(1.6, j.Dx, 9); Assert.Equal(-0.8, j.Dy, 9); });
        Assert.Equal(JointMotion.Gap.OutsideVideo, motion.Displacements(sample, -1).Gap);
    }

    [Fact]
    public void BadOptionsAreRefused()
    {
        Assert.Throws<ArgumentException>(() => JointMotion.Measure(new[] { TwoFrames() }, CpuSmall, new JointMotionOptions { Offsets = new[] { 0 } }));
        Assert.Throws<ArgumentException>(() => JointMotion.Measure(new[] { TwoFrames() }, CpuSmall, new JointMotionOptions { BinWidth = double.NaN }));
    }

    [SkippableFact]
    public void BonnPoseTrack17AtThePapersHeatmapsIsTheReferenceTheSyntheticPresetAimsAt()
    {
        var gt = Fixtures.Require("posetrack", "poseval_cases", "bonn_public_seed0", "gt");
        var report = JointMotion.Measure(PoseTrackReader.ReadFolder(gt), HeatmapCodec.ForInput(288, 384));
        var reference = SyntheticPresets.PaperRegime;
        foreach (var (d, median, p90) in new[] { (1, reference.Median1, reference.P90At1), (2, reference.Median2, reference.P90At2) })
        {
            Assert.Equal(median, report.AtDistance(d).Median, 2);
            Assert.Equal(p90, report.AtDistance(d).P90, 2);
        }
    }

    [Theory]
    [InlineData("val")]
    [InlineData("all")]
    public void PaperMotionPresetAt32x24MatchesPoseTrackAt96x72Within25Percent(string split)
    {
        var generator = new SyntheticVideoGenerator(SyntheticPresets.PaperMotion);
        var videos = split == "val" ? generator.Annotations("val") : generator.Annotations("train").Concat(generator.Annotations("val")).ToList();
        var report = JointMotion.Measure(videos, CpuSmall);
        var reference = SyntheticPresets.PaperRegime;
        foreach (var (name, measured, target) in new[]
        {
            ("±1 median", report.AtDistance(1).Median, reference.Median1), ("±1 p90", report.AtDistance(1).P90, reference.P90At1),
            ("±2 median", report.AtDistance(2).Median, reference.Median2), ("±2 p90", report.AtDistance(2).P90, reference.P90At2),
        })
            Assert.True(Math.Abs(measured / target - 1) <= 0.25, $"{split} {name}: {measured:F2} px vs PoseTrack's {target:F2} px at 96x72");
    }

    [Fact]
    public void SmallMotionPresetIsSubPixelAt32x24()
    {
        var report = JointMotion.Measure(new SyntheticVideoGenerator(SyntheticPresets.SmallMotion).Annotations("val"), CpuSmall);
        Assert.InRange(report.AtDistance(1).Median, 0, 0.6);
        Assert.InRange(report.AtDistance(2).Median, 0, 0.9);
    }

    [Fact]
    public void AnnotationsWithoutRenderingEqualTheRenderedSet()
    {
        var config = new SyntheticVideoConfig { TrainVideos = 1, ValVideos = 1, Frames = 6, Width = 96, Height = 72, SpeedSpread = 0.5 };
        var generator = new SyntheticVideoGenerator(config);
        var rendered = generator.Generate("val", 0, (_, _) => { }).Annotation;
        var bare = generator.Annotations("val").Single();
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(rendered), System.Text.Json.JsonSerializer.Serialize(bare));
    }

    [SkippableFact]
    public void CliPrintsAndWritesTheStatistics()
    {
        var gt = Fixtures.Require("posetrack", "poseval_cases", "bonn_public_seed0", "gt");
        using var temp = new TempDir();
        var json = Path.Combine(temp.Path, "motion.json");
        var (exit, error) = DsaCli.Run("data", "motion", "--dataset", gt, "--heatmap", "96x72", "--offsets", "-2,-1,1,2", "--json", json);
        Assert.True(exit == 0, error);
        var node = JsonNode.Parse(File.ReadAllText(json))!;
        var pooled = node["by_distance"]!.AsArray();
        Assert.Equal(new[] { 1, 2 }, pooled.Select(m => (int)m!["offset"]!));
        Assert.Equal(SyntheticPresets.PaperRegime.Median1, (double)pooled[0]!["distribution"]!["median"]!, 2);
        Assert.Equal((72, 96), ((int)node["heatmap_width"]!, (int)node["heatmap_height"]!));
        Assert.Equal(JointMotionReport.Read(json).AtDistance(2).P90, (double)pooled[1]!["distribution"]!["p90"]!);

        Assert.Equal(1, DsaCli.Run("data", "motion", "--dataset", gt, "--heatmap", "0x72").Exit);
        Assert.Equal(1, DsaCli.Run("data", "motion", "--dataset", gt, "--offsets", "1,zero").Exit);
        Assert.Equal(1, DsaCli.Run("data", "motion", "--dataset", Path.Combine(temp.Path, "nothing")).Exit);
    }
}
