using System.Diagnostics;
using Dsa.Data;
using Dsa.Data.Pipeline;

namespace Dsa.Benchmarks;

/// <summary>
/// Samples per second of the training data path (decode + augment + warp of every frame of the window,
/// target encoding, collation into tensors) at given input sizes, once built on the consumer's thread and
/// once with the background prefetcher and parallel sample preparation, and once more with a
/// <see cref="FrameCache"/> (cold at the start of the timed epoch) shared by the samples.
/// </summary>
public static class DataPipelineBenchmark
{
    public static IReadOnlyList<DataBenchmarkResult> Run(IDataset<VideoSample> dataset, IEnumerable<(int Width, int Height)> inputSizes,
        int samples, int batchSize, int workers, IProgress<string>? progress = null)
    {
        if (dataset.Count == 0) throw new ArgumentException("The benchmark needs a non-empty dataset.", nameof(dataset));
        var subset = new Prefix(dataset, Math.Min(samples, dataset.Count));
        var results = new List<DataBenchmarkResult>();
        foreach (var (w, h) in inputSizes)
        {
            foreach (var (mode, prefetch, threads, cached) in new[] { ("single-thread", 0, 1, false), ("prefetch", 2, workers, false), ("prefetch+cache", 2, workers, true) })
            {
                var cache = cached ? new FrameCache() : null;
                var pipeline = new TopDownPipeline(HeatmapCodec.ForInput(w, h), cache: cache);
                var options = new DataLoaderOptions { BatchSize = batchSize, Seed = 1, PrefetchBatches = prefetch, Workers = threads };
                using var loader = new DataLoader(subset, pipeline, options);
                // Warm-up: first decode, JIT and torch initialisation are not the steady state.
                foreach (var _ in loader.Epoch(-1).Take(1)) { }
                cache?.Clear();
                var clock = Stopwatch.StartNew();
                int count = 0;
                foreach (var batch in loader.Epoch(0)) count += batch.Count;
                clock.Stop();
                var r = new DataBenchmarkResult(w, h, mode, threads, dataset[0].FramePaths.Count, count, clock.Elapsed.TotalSeconds, count / clock.Elapsed.TotalSeconds);
                results.Add(r);
                progress?.Report($"{w}x{h} {mode} (workers {threads}): {r.SamplesPerSecond:F1} samples/s");
            }
        }
        return results;
    }

    private sealed class Prefix(IDataset<VideoSample> inner, int count) : IDataset<VideoSample>
    {
        public int Count => count;
        public VideoSample this[int index] => inner[index];
    }
}
