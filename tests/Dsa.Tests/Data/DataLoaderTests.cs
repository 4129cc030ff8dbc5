using Dsa.Data;
using Dsa.Data.Pipeline;
using TorchSharp;

namespace Dsa.Tests.Data;

public class DataLoaderTests
{
    private static List<(float[] Frames, float[] Targets, float[] Weights, int[] Indices)> Run(DataLoader loader, int epoch)
    {
        var result = new List<(float[], float[], float[], int[])>();
        foreach (var batch in loader.Epoch(epoch))
        {
            Assert.Equal(new long[] { batch.Count, 5, 3, 64, 48 }, batch.Frames.shape);
            Assert.Equal(new long[] { batch.Count, 15, 16, 12 }, batch.Targets.shape);
            Assert.Equal(new long[] { batch.Count, 15, 1 }, batch.TargetWeights.shape);
            result.Add((batch.Frames.data<float>().ToArray(), batch.Targets.data<float>().ToArray(),
                batch.TargetWeights.data<float>().ToArray(), batch.Indices.ToArray()));
        }
        return result;
    }

    [Fact]
    public void SameSeedGivesTheSameBatchesWhateverThePrefetchAndWorkerCount()
    {
        using var video = new TinyVideo(frames: 8, people: 2);
        var dataset = new PoseTrackVideoDataset(new[] { video.Annotation }, video.Root);
        var pipeline = new TopDownPipeline(new HeatmapCodec(48, 64, 12, 16));
        var options = new DataLoaderOptions { BatchSize = 3, Seed = 42 };
        using var a = new DataLoader(dataset, pipeline, options with { PrefetchBatches = 0 });
        using var b = new DataLoader(dataset, pipeline, options with { PrefetchBatches = 2, Workers = 2 });
        using var c = new DataLoader(dataset, pipeline, options with { Seed = 43 });
        var ra = Run(a, 1);
        var rb = Run(b, 1);
        Assert.Equal(a.BatchCount, ra.Count);
        Assert.Equal(3, ra.Count); // 8 samples in batches of 3
        for (int i = 0; i < ra.Count; i++)
        {
            Assert.Equal(ra[i].Indices, rb[i].Indices);
            Assert.Equal(ra[i].Frames, rb[i].Frames);
            Assert.Equal(ra[i].Targets, rb[i].Targets);
            Assert.Equal(ra[i].Weights, rb[i].Weights);
        }
        Assert.NotEqual(ra.SelectMany(x => x.Indices), Run(a, 2).SelectMany(x => x.Indices)); // epochs reshuffle
        var rc = Run(c, 1);
        Assert.NotEqual(ra.SelectMany(x => x.Frames).Sum(), rc.SelectMany(x => x.Frames).Sum());
    }

    [Fact]
    public void BatchesAreDisposedWhenTheConsumerMovesOnOrStops()
    {
        using var video = new TinyVideo(frames: 8, people: 2);
        var dataset = new PoseTrackVideoDataset(new[] { video.Annotation }, video.Root);
        var pipeline = new TopDownPipeline(new HeatmapCodec(48, 64, 12, 16));
        using var loader = new DataLoader(dataset, pipeline, new DataLoaderOptions { BatchSize = 2, Seed = 1, PrefetchBatches = 1 });
        var seen = new List<PoseBatch>();
        foreach (var batch in loader.Epoch(0))
        {
            seen.Add(batch);
            Assert.False(batch.IsDisposed);
            if (seen.Count == 2) break;
        }
        Assert.All(seen, b => Assert.True(b.IsDisposed));
    }

    [Fact]
    public void ABadFrameInTheBackgroundSurfacesToTheConsumer()
    {
        using var video = new TinyVideo(frames: 8, people: 1);
        File.WriteAllText(Path.Combine(video.Root, "images", "val", "000001_tiny", "000005.png"), "not an image");
        var dataset = new PoseTrackVideoDataset(new[] { video.Annotation }, video.Root);
        using var loader = new DataLoader(dataset, new TopDownPipeline(new HeatmapCodec(48, 64, 12, 16)),
            new DataLoaderOptions { BatchSize = 2, PrefetchBatches = 2 });
        var e = Assert.Throws<InvalidDataException>(() => { foreach (var _ in loader.Epoch(0)) { } });
        Assert.Contains("000005.png", e.Message);
    }
}
