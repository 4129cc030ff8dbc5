using Dsa.Data.Pipeline;


namespace Dsa.Training;

/// <summary>
/// The data loader as the trainer sees it. The loader's order and augmentation depend only on
/// (seed, epoch, index), so skipping the first batches of an epoch after a resume yields exactly the
/// batches the uninterrupted run saw next. With <paramref name="motion"/> each batch also carries its annotated joint motion
/// (for the diagnostics that need it: offset supervision, ground-truth-flow alignment).
/// </summary>
public sealed class PoseTrackTrainingData(DataLoader loader, JointMotionSource? motion = null) : ITrainingData
{
    public DataLoader Loader { get; } = loader;

    public int BatchesPerEpoch => Loader.BatchCount;

    public IEnumerable<TrainingBatch> Epoch(int epoch, int skip, CancellationToken cancellation)
    {
        int index = 0;
        // The trainer watches the token between steps (it writes a checkpoint and returns Interrupted), so the
        // loader does not get it: a loader cancelled mid-batch would only turn that into an exception the trainer
        // has to catch. Leaving the loop disposes the loader's enumerator, which stops its producer.
        foreach (var batch in Loader.Epoch(epoch, CancellationToken.None))
        {
            if (index++ < skip) continue;
            // The loader disposes its batch when asked for the next; the trainer disposes these handles.
            yield return new TrainingBatch(batch.Frames.alias(), batch.Targets.alias(), batch.TargetWeights.alias(), motion?.For(batch));
        }
    }
}
