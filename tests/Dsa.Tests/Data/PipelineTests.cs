using Dsa.Data;
using Dsa.Data.Pipeline;

namespace Dsa.Tests.Data;

public class PipelineTests
{
    private static (int X, int Y) BrightestPixel(float[] frames, int w, int h)
    {
        int best = 0;
        for (int i = 1; i < w * h; i++) if (frames[i] > frames[best]) best = i; // red plane of the key frame
        return (best % w, best / w);
    }

    [Fact]
    public void WarpedFramesAndEncodedJointsAgreeUnderRotationScaleAndFlip()
    {
        using var video = new TinyVideo();
        var dataset = new PoseTrackVideoDataset(new[] { video.Annotation }, video.Root);
        var pipeline = new TopDownPipeline(new HeatmapCodec(48, 64, 12, 16), new AugmentationConfig { HalfBodyProbability = 0 });
        var rng = new Random(1);
        int flipped = 0;
        for (int i = 0; i < dataset.Count; i++)
        {
            if (dataset[i].Person != 0) continue;
            for (int trial = 0; trial < 4; trial++)
            {
                var s = pipeline.Prepare(dataset[i], rng);
                if (s.Meta.Flipped) flipped++;
                // Joint 0 (right ankle) carries the blob; after a flip it is the left ankle's slot (5).
                int slot = s.Meta.Flipped ? 5 : 0;
                var (bx, by) = BrightestPixel(s.Frames, 48, 64);
                var j = s.Joints[slot];
                Assert.True(Math.Abs(bx - j.X) <= 1.5 && Math.Abs(by - j.Y) <= 1.5,
                    $"sample {i}: blob at ({bx}, {by}), joint {slot} encoded at ({j.X:F2}, {j.Y:F2}), {s.Meta}");
                Assert.Equal(5 * 3 * 48 * 64, s.Frames.Length);
                Assert.Equal(15 * 16 * 12, s.Target.Length);
            }
        }
        Assert.True(flipped > 0);
    }

    [Fact]
    public void EveryBatchItemCarriesItsSamplesIdentity()
    {
        // Predictions are written back from the batch alone (PosePredictor), so its meta must say whose they are.
        using var video = new TinyVideo();
        var dataset = new PoseTrackVideoDataset(new[] { video.Annotation }, video.Root);
        var pipeline = new TopDownPipeline(new HeatmapCodec(48, 64, 12, 16), new AugmentationConfig());
        using var loader = new DataLoader(dataset, pipeline, new DataLoaderOptions { BatchSize = 3, Shuffle = true, Augment = true, Seed = 4 });
        int seen = 0;
        foreach (var batch in loader.Epoch(0))
            using (batch)
                for (int i = 0; i < batch.Count; i++, seen++)
                {
                    var (sample, meta) = (dataset[batch.Indices[i]], batch.Meta[i]);
                    Assert.Equal((sample.Video, sample.KeyFrame, sample.Person, sample.TrackId, sample.Box), (meta.Video, meta.KeyFrame, meta.Person, meta.TrackId, meta.Box));
                }
        Assert.Equal(dataset.Count, seen);
    }

    [Fact]
    public void SupportingFramesUseTheKeyFramesCrop()
    {
        using var video = new TinyVideo();
        var dataset = new PoseTrackVideoDataset(new[] { video.Annotation }, video.Root);
        var pipeline = new TopDownPipeline(new HeatmapCodec(48, 64, 12, 16), AugmentationConfig.None);
        var sample = dataset.Samples.First(s => s.KeyFrame == 2 && s.Person == 0);
        Assert.Equal(new[] { 2, 0, 1, 3, 4 }, sample.FrameIndices);
        var e = pipeline.Prepare(sample, null);
        int plane = 3 * 48 * 64;
        // The blob moves 2 image px per frame; in the shared crop it moves the same amount times the crop scale.
        double scale = 48 / e.Meta.Crop.Width;
        var key = BrightestPixel(e.Frames, 48, 64);
        var next = BrightestPixel(e.Frames[(3 * plane)..], 48, 64); // frame 3
        Assert.InRange(next.X - key.X - 2 * scale, -1.01, 1.01);
        Assert.Equal(key.Y, next.Y);
    }

    [Fact]
    public void DatasetCountsLabelledFramesAndPeopleAndResolvesBoundaries()
    {
        using var video = new TinyVideo(frames: 7, people: 3);
        var dataset = new PoseTrackVideoDataset(new[] { video.Annotation }, video.Root);
        Assert.Equal(4 * 3, dataset.Count); // frames 0, 2, 4, 6 are labelled
        Assert.All(dataset.Samples, s => Assert.Equal(15, s.Visibility.Count(v => v > 0)));
        var first = dataset.Samples.First(s => s.KeyFrame == 0);
        Assert.Equal(new[] { 0, 0, 0, 1, 2 }, first.FrameIndices);
        Assert.EndsWith(Path.Combine("images", "val", "000001_tiny", "000000.png"), first.FramePaths[0]);
        var last = dataset.Samples.First(s => s.KeyFrame == 6);
        Assert.Equal(new[] { 6, 4, 5, 6, 6 }, last.FrameIndices);
        var all = new PoseTrackVideoDataset(new[] { video.Annotation }, video.Root, new PoseTrackDatasetOptions { LabeledFramesOnly = false });
        Assert.Equal(7 * 3, all.Count);
    }

    [Fact]
    public void MissingFrameFileIsNamedWithItsSample()
    {
        using var video = new TinyVideo();
        File.Delete(Path.Combine(video.Root, "images", "val", "000001_tiny", "000003.png"));
        var dataset = new PoseTrackVideoDataset(new[] { video.Annotation }, video.Root);
        var pipeline = new TopDownPipeline(new HeatmapCodec(48, 64, 12, 16));
        var sample = dataset.Samples.First(s => s.KeyFrame == 2);
        var e = Assert.Throws<FileNotFoundException>(() => pipeline.Prepare(sample, null));
        Assert.Contains("000003.png", e.Message);
        Assert.Contains("000001_tiny.json", e.Message);
        Assert.Contains("frame 2", e.Message);
    }

    [Fact]
    public void UnreadableJpegIsNamedWithItsSample()
    {
        using var video = new TinyVideo();
        File.WriteAllBytes(Path.Combine(video.Root, "images", "val", "000001_tiny", "000004.png"), new byte[] { 0xFF, 0xD8, 0xFF, 0x00, 1, 2, 3 });
        var dataset = new PoseTrackVideoDataset(new[] { video.Annotation }, video.Root);
        var pipeline = new TopDownPipeline(new HeatmapCodec(48, 64, 12, 16));
        var sample = dataset.Samples.First(s => s.KeyFrame == 4 && s.Person == 1);
        var e = Assert.Throws<InvalidDataException>(() => pipeline.Prepare(sample, null));
        Assert.Contains("000004.png", e.Message);
        Assert.Contains("person 1", e.Message);
    }

    [Fact]
    public void NaNCoordinateIsNamedWithFileFramePersonAndJoint()
    {
        using var video = new TinyVideo(writeFrames: false);
        var frames = video.Annotation.Frames.ToList();
        var person = frames[2].People[1];
        var points = person.Points!.ToList();
        points[4] = points[4] with { Y = double.NaN };
        frames[2] = frames[2] with { People = new[] { frames[2].People[0], person with { Points = points } } };
        var bad = video.Annotation with { Frames = frames };
        var e = Assert.Throws<InvalidDataException>(() => new PoseTrackVideoDataset(new[] { bad }, video.Root));
        Assert.Contains("000001_tiny.json", e.Message);
        Assert.Contains("frame 2", e.Message);
        Assert.Contains("person 1", e.Message);
        Assert.Contains("left_knee", e.Message);
    }

    [Fact]
    public void ZeroSizeBoxIsNamedWithFileFrameAndPerson()
    {
        using var video = new TinyVideo(writeFrames: false);
        var frames = video.Annotation.Frames.ToList();
        frames[4] = frames[4] with { People = new[] { frames[4].People[0] with { PersonBox = new Box(10, 10, 10, 40) }, frames[4].People[1] } };
        var bad = video.Annotation with { Frames = frames };
        var e = Assert.Throws<InvalidDataException>(() => new PoseTrackVideoDataset(new[] { bad }, video.Root));
        Assert.Contains("000001_tiny.json", e.Message);
        Assert.Contains("frame 4", e.Message);
        Assert.Contains("person 0", e.Message);
        Assert.Contains("bbox", e.Message);
        // Taking boxes from the keypoints instead, the same file is usable.
        Assert.Equal(6, new PoseTrackVideoDataset(new[] { bad }, video.Root, new PoseTrackDatasetOptions { BoxSource = BoxSource.Keypoints }).Count);
    }

    [Fact]
    public void FrameCacheGivesTheSameSamplesDecodesEachFrameOnceAndStaysWithinItsCapacity()
    {
        using var video = new TinyVideo(frames: 6, people: 2);
        var dataset = new PoseTrackVideoDataset(new[] { video.Annotation }, video.Root);
        var codec = new HeatmapCodec(48, 64, 12, 16);
        var cache = new FrameCache();
        var plain = new TopDownPipeline(codec);
        var cached = new TopDownPipeline(codec, cache: cache);
        for (int i = 0; i < dataset.Count; i++)
        {
            var a = plain.Prepare(dataset[i], new Random(i));
            var b = cached.Prepare(dataset[i], new Random(i));
            Assert.Equal(a.Frames, b.Frames);
            Assert.Equal(a.Target, b.Target);
        }
        Assert.Equal(6, cache.Misses); // every frame decoded once
        Assert.Equal(dataset.Count * 5 - 6, cache.Hits);
        // Room for two frames: the third evicts the least recently used one.
        var small = new FrameCache(2L * TinyVideo.Width * TinyVideo.Height * 4);
        string F(int f) => Path.Combine(video.Root, "images", "val", "000001_tiny", $"{f:D6}.png");
        small.Get(F(0), "test"); small.Get(F(1), "test"); small.Get(F(0), "test"); small.Get(F(2), "test");
        Assert.Equal((3L, 1L), (small.Misses, small.Hits));
        small.Get(F(0), "test"); // still there (used after frame 1)
        Assert.Equal(2L, small.Hits);
        small.Get(F(1), "test"); // evicted by frame 2
        Assert.Equal(4L, small.Misses);
    }
}
