namespace Dsa.Data.Pipeline;

/// <summary>Batching options. Defaults: training (shuffled, augmented) with two batches prefetched.</summary>
public sealed record DataLoaderOptions
{
    public int BatchSize { get; init; } = 32;
    public bool Shuffle { get; init; } = true;
    /// <summary>Apply the pipeline's augmentation (training) or not (evaluation).</summary>
    public bool Augment { get; init; } = true;
    public bool DropLast { get; init; }
    public int Seed { get; init; }
    /// <summary>Batches built ahead on a background thread; 0 builds each batch on the consumer's thread.</summary>
    public int PrefetchBatches { get; init; } = 2;
    /// <summary>Samples of one batch prepared in parallel (decode + warp dominate).</summary>
    public int Workers { get; init; } = 1;
}
