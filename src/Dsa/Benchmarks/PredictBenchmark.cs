using Dsa.Data;
using Dsa.Data.Pipeline;
using Dsa.Inference;
using Dsa.Nn;
using TorchSharp;

namespace Dsa.Benchmarks;

/// <summary>Times <see cref="PosePredictor.PredictSamples"/> over the first samples of a dataset (`dsa bench predict`).</summary>
public static class PredictBenchmark
{
    public static PredictBenchmarkResult Run(string name, DsaNet model, PoseTrackVideoDataset dataset, TopDownPipeline pipeline,
        int batchSize, int warmup = 1, int repeats = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (dataset.Count == 0) throw new ArgumentException($"{name}: the dataset has no samples to predict.", nameof(dataset));
        int samples = 0, keyFrames = 0;
        var timing = StepTimer.Measure(() =>
        {
            var predicted = PosePredictor.PredictSamples(model, dataset, pipeline, batchSize);
            samples = predicted.Count;
            keyFrames = predicted.Select(p => (p.Sample.Video, p.Sample.KeyFrame)).Distinct().Count();
        }, warmup, repeats);
        return new PredictBenchmarkResult(name, model.parameters().Sum(p => p.numel()), samples, keyFrames, model.Config.FrameCount, batchSize,
            torch.get_num_threads(), repeats, timing.MedianSeconds, timing.FastestSeconds, samples / timing.MedianSeconds, keyFrames / timing.MedianSeconds,
            PeakResidentSet.Read());
    }
}
