using Dsa.Data.Pipeline;
using Dsa.Nn;
using Dsa.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsa.Tests.Training;

/// <summary>
/// Deterministic in-memory batches for trainer tests: batch i of epoch e is generated from seed
/// (e, i) alone, as a real loader must. Targets are a Gaussian whose position depends on the frames,
/// so the loss can fall. Optionally poisons one global step with NaN.
/// </summary>
internal sealed class FixedBatches : ITrainingData
{
    private readonly ModelConfig config;
    private readonly int batchSize;
    private readonly long? nanAtStep;

    public FixedBatches(ModelConfig config, int batches, int batchSize = 2, long? nanAtStep = null)
    {
        this.config = config;
        BatchesPerEpoch = batches;
        this.batchSize = batchSize;
        this.nanAtStep = nanAtStep;
    }

    public int BatchesPerEpoch { get; }

    public IEnumerable<TrainingBatch> Epoch(int epoch, int skip, CancellationToken cancellation)
    {
        for (int i = skip; i < BatchesPerEpoch; i++)
        {
            var g = new Generator((ulong)(1000 * epoch + i + 1));
            var (h, w) = config.HeatmapSize;
            // The same few samples every epoch (seeded by i only) so a model can fit them.
            var sampleGen = new Generator((ulong)(i + 7));
            var frames = torch.randn(new long[] { batchSize, config.FrameCount, 3, config.InputHeight, config.InputWidth }, generator: sampleGen);
            var ys = torch.arange(h, dtype: float32).view(1, 1, h, 1);
            var xs = torch.arange(w, dtype: float32).view(1, 1, 1, w);
            var cy = (torch.rand(new long[] { batchSize, config.Joints, 1, 1 }, generator: sampleGen) * (h - 1));
            var cx = (torch.rand(new long[] { batchSize, config.Joints, 1, 1 }, generator: sampleGen) * (w - 1));
            var targets = torch.exp(-((ys - cy).pow(2) + (xs - cx).pow(2)) / 8.0);
            var weights = torch.ones(batchSize, config.Joints, 1);
            long globalStep = (long)epoch * BatchesPerEpoch + i + 1;
            if (nanAtStep == globalStep) targets[0, 0, 0, 0] = torch.tensor(float.NaN);
            g.Dispose();
            sampleGen.Dispose();
            yield return new TrainingBatch(frames, targets, weights);
        }
    }
}

/// <summary>Batches that, like the DataLoader, throw OperationCanceledException once cancellation is requested.</summary>
internal sealed class CancellingBatches(ITrainingData inner) : ITrainingData
{
    public int BatchesPerEpoch => inner.BatchesPerEpoch;

    public IEnumerable<TrainingBatch> Epoch(int epoch, int skip, CancellationToken cancellation)
    {
        foreach (var batch in inner.Epoch(epoch, skip, cancellation))
        {
            if (cancellation.IsCancellationRequested)
            {
                batch.Dispose();
                cancellation.ThrowIfCancellationRequested();
            }
            yield return batch;
        }
    }
}
