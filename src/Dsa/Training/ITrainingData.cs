namespace Dsa.Training;

/// <summary>
/// A source of training batches whose order and augmentation depend only on (seed, epoch), so a
/// resumed run sees exactly the batches the uninterrupted run would have seen.
/// </summary>
public interface ITrainingData
{
    /// <summary>Batches in one epoch.</summary>
    int BatchesPerEpoch { get; }

    /// <summary>The batches of <paramref name="epoch"/>, starting after the first <paramref name="skip"/> (the
    /// consumer disposes each batch).</summary>
    IEnumerable<TrainingBatch> Epoch(int epoch, int skip, CancellationToken cancellation);
}
