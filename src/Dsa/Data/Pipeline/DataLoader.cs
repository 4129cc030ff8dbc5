using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace Dsa.Data.Pipeline;

/// <summary>
/// Batches of a pose dataset, built on a background thread ahead of the consumer (a bounded queue of
/// <see cref="DataLoaderOptions.PrefetchBatches"/>), like torch's DataLoader with workers. Deterministic:
/// epoch e's order is a shuffle seeded by (seed, e), and sample i's augmentation by (seed, e, i), so
/// neither depends on thread timing or on the worker count. A yielded batch is disposed when the consumer
/// asks for the next one or stops enumerating; anything still alive is disposed with the loader.
/// </summary>
public sealed class DataLoader : IDisposable
{
    private readonly IDataset<VideoSample> _dataset;
    private readonly CancellationTokenSource _disposed = new();
    private readonly ConcurrentDictionary<PoseBatch, byte> _live = new();

    public TopDownPipeline Pipeline { get; }
    public DataLoaderOptions Options { get; }
    public int FrameCount { get; }

    public DataLoader(IDataset<VideoSample> dataset, TopDownPipeline pipeline, DataLoaderOptions? options = null)
    {
        _dataset = dataset;
        Pipeline = pipeline;
        Options = options ?? new DataLoaderOptions();
        if (Options.BatchSize <= 0) throw new ArgumentOutOfRangeException(nameof(options), Options.BatchSize, "BatchSize must be positive");
        if (Options.PrefetchBatches < 0) throw new ArgumentOutOfRangeException(nameof(options), Options.PrefetchBatches, "PrefetchBatches must be >= 0");
        if (Options.Workers <= 0) throw new ArgumentOutOfRangeException(nameof(options), Options.Workers, "Workers must be positive");
        FrameCount = dataset.Count > 0 ? dataset[0].FramePaths.Count : 1;
    }

    /// <summary>Batches per epoch.</summary>
    public int BatchCount => Options.DropLast ? _dataset.Count / Options.BatchSize : (_dataset.Count + Options.BatchSize - 1) / Options.BatchSize;

    /// <summary>The seed of an epoch (SplitMix64 of the loader seed and the epoch).</summary>
    public static int EpochSeed(int seed, int epoch) => Mix((ulong)(uint)seed << 32 | (uint)epoch);

    /// <summary>The augmentation seed of dataset item <paramref name="index"/> in an epoch.</summary>
    public static int SampleSeed(int epochSeed, int index) => Mix((ulong)(uint)epochSeed << 32 | (uint)index ^ 0x9E3779B97F4A7C15UL);

    private static int Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (int)((z ^ (z >> 31)) & 0x7FFFFFFF);
    }

    /// <summary>Dataset indices in the order epoch <paramref name="epoch"/> visits them.</summary>
    public int[] Order(int epoch)
    {
        var order = Enumerable.Range(0, _dataset.Count).ToArray();
        if (Options.Shuffle) new Random(EpochSeed(Options.Seed, epoch)).Shuffle(order);
        return order;
    }

    /// <summary>The batches of one epoch. Each batch is valid until the next is requested.</summary>
    public IEnumerable<PoseBatch> Epoch(int epoch, CancellationToken cancellation = default)
    {
        ObjectDisposedException.ThrowIf(_disposed.IsCancellationRequested, this);
        var order = Order(epoch);
        int epochSeed = EpochSeed(Options.Seed, epoch);
        var batches = new List<int[]>();
        for (int start = 0; start < order.Length; start += Options.BatchSize)
        {
            int n = Math.Min(Options.BatchSize, order.Length - start);
            if (n < Options.BatchSize && Options.DropLast) break;
            batches.Add(order[start..(start + n)]);
        }
        return Options.PrefetchBatches == 0 ? Synchronous(batches, epochSeed, cancellation) : Prefetched(batches, epochSeed, cancellation);
    }

    private IEnumerable<PoseBatch> Synchronous(List<int[]> batches, int epochSeed, CancellationToken cancellation)
    {
        foreach (var indices in batches)
        {
            cancellation.ThrowIfCancellationRequested();
            var batch = Build(indices, epochSeed);
            try { yield return batch; }
            finally { Release(batch); }
        }
    }

    private IEnumerable<PoseBatch> Prefetched(List<int[]> batches, int epochSeed, CancellationToken cancellation)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation, _disposed.Token);
        using var queue = new BlockingCollection<PoseBatch>(Options.PrefetchBatches);
        var producer = Task.Factory.StartNew(() =>
        {
            try
            {
                foreach (var indices in batches)
                {
                    if (stop.IsCancellationRequested) return;
                    var batch = Build(indices, epochSeed);
                    try { queue.Add(batch, stop.Token); }
                    catch (OperationCanceledException) { Release(batch); return; }
                }
            }
            finally { queue.CompleteAdding(); }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            foreach (var batch in queue.GetConsumingEnumerable(stop.Token))
            {
                try { yield return batch; }
                finally { Release(batch); }
            }
            // The queue also completes when the producer failed: surface its exception (a bad frame file) here.
            try { producer.Wait(); }
            catch (AggregateException e) { ExceptionDispatchInfo.Capture(e.InnerException ?? e).Throw(); }
        }
        finally
        {
            stop.Cancel();
            // The consumer stopped early or the error was rethrown above: only wait and clean up here.
            try { producer.Wait(); } catch (AggregateException) { }
            while (queue.TryTake(out var left)) Release(left);
        }
    }

    private PoseBatch Build(int[] indices, int epochSeed)
    {
        var samples = new EncodedSample[indices.Length];
        void One(int i)
        {
            var rng = Options.Augment ? new Random(SampleSeed(epochSeed, indices[i])) : null;
            samples[i] = Pipeline.Prepare(_dataset[indices[i]], rng);
        }
        if (Options.Workers == 1) for (int i = 0; i < indices.Length; i++) One(i);
        else
        {
            try { Parallel.For(0, indices.Length, new ParallelOptions { MaxDegreeOfParallelism = Options.Workers }, One); }
            catch (AggregateException e) { ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw(); }
        }
        var codec = Pipeline.Codec;
        var batch = PoseBatch.Collate(samples, indices, FrameCount, Pipeline.InputHeight, Pipeline.InputWidth, Pipeline.Skeleton.Count,
            codec.HeatmapHeight, codec.HeatmapWidth);
        _live[batch] = 0;
        return batch;
    }

    private void Release(PoseBatch batch)
    {
        _live.TryRemove(batch, out _);
        batch.Dispose();
    }

    public void Dispose()
    {
        if (_disposed.IsCancellationRequested) return;
        _disposed.Cancel();
        foreach (var batch in _live.Keys) Release(batch);
    }
}
