using System.Security.Cryptography;
using Dsa.Data;

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
}
