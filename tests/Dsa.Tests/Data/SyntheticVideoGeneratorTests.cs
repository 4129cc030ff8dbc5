using System.Security.Cryptography;
using Dsa.Data;
using Dsa.Data.Formats;
using Dsa.Data.Pipeline;
using Dsa.Data.Synthetic;
using Dsa.Tests.Infrastructure;

namespace Dsa.Tests.Data;

public class SyntheticVideoGeneratorTests
{
    private static readonly SyntheticVideoConfig Small = new()
    {
        TrainVideos = 2, ValVideos = 1, Frames = 12, People = 3, Width = 96, Height = 72, Blur = 3, Occlusion = 1, Seed = 5,
    };

    private static (VideoAnnotation Annotation, double[] Exposures, List<string> FrameHashes) Generate(SyntheticVideoConfig config, string split, int index)
    {
        var hashes = new List<string>();
        var (annotation, exposures) = new SyntheticVideoGenerator(config).Generate(split, index,
            (f, bitmap) => hashes.Add(Convert.ToHexString(SHA256.HashData(bitmap.GetPixelSpan()))));
        return (annotation, exposures, hashes);
    }

    private static string Flatten(VideoAnnotation v) => string.Join("\n", v.Frames.Select(f =>
        f.ImagePath + ":" + string.Join(";", f.People.Select(p => $"{p.TrackId}|{p.HeadBox}|{p.PersonBox}|" +
            string.Join(",", p.Points!.Select(q => $"{q.Id}:{q.X}:{q.Y}:{q.Visible}"))))));

    [Fact]
    public void SummaryReadBackFromDiskEqualsWhatWriteReturned()
    {
        var root = Path.Combine(Path.GetTempPath(), "dsa-synth-summary-" + Guid.NewGuid().ToString("N"));
        try
        {
            var written = new SyntheticVideoGenerator(Small).Write(root);
            Assert.True(written.OccludedJoints > 0 && written.BlurredFrames > 0, $"the small set should have occlusion and blur: {written}");
            Assert.Equal(written, SyntheticVideoSummary.Read(root));
            File.Delete(Path.Combine(root, "meta", "val", SyntheticVideoGenerator.VideoName("val", 0) + ".json"));
            Assert.Contains("meta file", Assert.Throws<FileNotFoundException>(() => SyntheticVideoSummary.Read(root)).Message);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void SameSeedGivesTheSameVideoAndAnotherSeedAnotherOne()
    {
        var a = Generate(Small, "train", 1);
        var b = Generate(Small, "train", 1);
        Assert.Equal(Flatten(a.Annotation), Flatten(b.Annotation));
        Assert.Equal(a.Exposures, b.Exposures);
        Assert.Equal(a.FrameHashes, b.FrameHashes);
        var c = Generate(Small with { Seed = 6 }, "train", 1);
        Assert.NotEqual(Flatten(a.Annotation), Flatten(c.Annotation));
        Assert.NotEqual(Flatten(a.Annotation), Flatten(Generate(Small, "val", 1).Annotation));
    }

    [Fact]
    public void AnnotationsArePoseTrackShapedWithOccludedJointsKeptAndBlurredFrames()
    {
        var (annotation, exposures, hashes) = Generate(Small with { Frames = 30 }, "val", 0);
        Assert.Equal("500001_mpii_val.json", annotation.Name);
        Assert.Equal(30, annotation.Frames.Count);
        Assert.Equal(30, hashes.Count);
        Assert.Equal("images/val/500001_mpii_val/000007.jpg", annotation.Frames[7].ImagePath);
        Assert.Contains(exposures, e => e > 0);
        int occluded = 0, joints = 0;
        foreach (var frame in annotation.Frames)
        {
            Assert.True(frame.IsLabeled);
            Assert.Equal(frame.People.Count, frame.People.Select(p => p.TrackId).Distinct().Count());
            foreach (var person in frame.People)
            {
                Assert.InRange(person.Points!.Count, 3, 15);
                Assert.NotNull(person.HeadBox);
                Assert.True(person.PersonBox!.Value.Width > 0 && person.PersonBox.Value.Height > 0);
                foreach (var p in person.Points!)
                {
                    Assert.InRange(p.X, 0, Small.Width);
                    Assert.InRange(p.Y, 0, Small.Height);
                    joints++;
                    if (p.Visible == false) occluded++;
                }
            }
        }
        Assert.True(occluded > 0 && occluded < joints, $"{occluded} of {joints} joints occluded");
    }

    [Fact]
    public void WrittenSetReadsBackThroughPoseTrackReader()
    {
        using var dir = new TempDir();
        var config = Small with { TrainVideos = 1, ValVideos = 1, Frames = 6 };
        var summary = new SyntheticVideoGenerator(config).Write(dir.Path);
        var train = PoseTrackReader.ReadFolder(Path.Combine(dir.Path, "annotations", "train"));
        var val = PoseTrackReader.ReadFolder(Path.Combine(dir.Path, "annotations", "val"));
        Assert.Single(train);
        Assert.Single(val);
        Assert.Equal(2, summary.Videos);
        Assert.Equal(12, summary.Frames);
        var (expected, _) = new SyntheticVideoGenerator(config).Generate("train", 0, (_, _) => { });
        var read = train[0];
        Assert.Equal(expected.Name, read.Name);
        Assert.Equal(PoseTrackFormat.PoseTrack18, read.Format);
        Assert.Equal(expected.Frames.Count, read.Frames.Count);
        int people = 0, joints = 0, occluded = 0;
        foreach (var video in train.Concat(val))
        foreach (var frame in video.Frames)
        foreach (var person in frame.People)
        {
            people++;
            joints += person.Points!.Count;
            occluded += person.Points!.Count(p => p.Visible == false);
        }
        Assert.Equal((summary.PersonInstances, summary.Joints, summary.OccludedJoints), (people, joints, occluded));
        for (int f = 0; f < read.Frames.Count; f++)
        {
            Assert.Equal(expected.Frames[f].ImagePath, read.Frames[f].ImagePath);
            Assert.Equal(expected.Frames[f].People.Count, read.Frames[f].People.Count);
            for (int p = 0; p < read.Frames[f].People.Count; p++)
            {
                var (e, r) = (expected.Frames[f].People[p], read.Frames[f].People[p]);
                Assert.Equal(e.TrackId, r.TrackId);
                Assert.Equal(e.HeadBox!.Value.X1, r.HeadBox!.Value.X1, 6);
                Assert.Equal(e.PersonBox!.Value.Y2, r.PersonBox!.Value.Y2, 6);
                var ej = e.JointArray();
                var rj = r.JointArray();
                for (int j = 0; j < 15; j++)
                {
                    Assert.Equal(ej[j] is null, rj[j] is null);
                    if (ej[j] is null) continue;
                    Assert.Equal(ej[j]!.X, rj[j]!.X, 9);
                    Assert.Equal(ej[j]!.Y, rj[j]!.Y, 9);
                    Assert.Equal(ej[j]!.Visible, rj[j]!.Visible);
                }
            }
        }
        // And the frames are where the files say: the dataset finds them and a sample loads.
        var dataset = new PoseTrackVideoDataset(train.Concat(val), dir.Path);
        Assert.Equal(people, dataset.Count);
        Assert.All(dataset.Samples, s => Assert.True(File.Exists(s.FramePaths[0]), s.FramePaths[0]));
        var sample = new TopDownPipeline(new HeatmapCodec(48, 64, 12, 16)).Prepare(dataset[0], new Random(0));
        Assert.Equal(5 * 3 * 64 * 48, sample.Frames.Length);
    }
}
