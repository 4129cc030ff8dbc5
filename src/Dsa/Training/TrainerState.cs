using Dsa.Nn;

namespace Dsa.Training;

/// <summary>Everything besides weights that a resumed run needs to continue exactly where it stopped.</summary>
/// <param name="Epoch">The epoch in progress (0-based).</param>
/// <param name="BatchInEpoch">Batches of <paramref name="Epoch"/> already done (0 at an epoch boundary).</param>
/// <param name="GlobalStep">Optimiser steps done so far.</param>
/// <param name="TorchRngState">torch.random.get_rng_state(), base64 (CPU generator).</param>
public sealed record TrainerState(
    int Epoch,
    int BatchInEpoch,
    long GlobalStep,
    double? BestMap,
    int? BestEpoch,
    string TorchRngState,
    ModelConfig Model,
    TrainConfig Train,
    DateTimeOffset SavedAt)
{
    /// <summary>
    /// Checks what a state read from a file claims (JSON leaves a missing field null or 0): every field
    /// present, counters non-negative, the best epoch before the current one, both configs buildable.
    /// Returns this state; throws <see cref="InvalidDataException"/> naming <paramref name="source"/> and the field.
    /// </summary>
    public TrainerState Check(string source)
    {
        InvalidDataException Error(string field, string problem) => new($"{source}: field '{field}' {problem}.");
        if (Model is null) throw Error(nameof(Model), "is missing");
        if (Train is null) throw Error(nameof(Train), "is missing");
        if (string.IsNullOrEmpty(TorchRngState)) throw Error(nameof(TorchRngState), "is missing");
        if (Epoch < 0) throw Error(nameof(Epoch), $"is {Epoch}; epochs count from 0");
        if (BatchInEpoch < 0) throw Error(nameof(BatchInEpoch), $"is {BatchInEpoch}; it counts batches done, from 0");
        if (GlobalStep < 0) throw Error(nameof(GlobalStep), $"is {GlobalStep}; it counts optimiser steps, from 0");
        if (GlobalStep < BatchInEpoch) throw Error(nameof(GlobalStep), $"is {GlobalStep}, fewer than the {BatchInEpoch} batches done in this epoch ({nameof(BatchInEpoch)})");
        if (BestEpoch is { } best && (best < 0 || best >= Math.Max(1, Epoch)))
            throw Error(nameof(BestEpoch), $"is {best}; the best epoch is one that finished before epoch {Epoch}");
        if (BestMap is { } map && !(map >= 0 && map <= 100)) throw Error(nameof(BestMap), $"is {map}; an mAP is a percentage");
        if (BestMap.HasValue != BestEpoch.HasValue) throw Error(BestMap.HasValue ? nameof(BestEpoch) : nameof(BestMap), "is missing (both or neither)");
        try { Model.Validate(); }
        catch (ArgumentException e) { throw Error(nameof(Model), $"is not a buildable model: {e.Message}"); }
        try { Train.Validate(); }
        catch (ArgumentException e) { throw Error(nameof(Train), $"is not a valid training config: {e.Message}"); }
        return this;
    }

    /// <summary>
    /// Checks that training under <paramref name="config"/>, with <paramref name="batchesPerEpoch"/> batches
    /// per epoch, can continue from this state (the position lies inside the run).
    /// </summary>
    public void CheckResumable(TrainConfig config, int batchesPerEpoch, string source)
    {
        if (Epoch > config.Epochs)
            throw new InvalidDataException($"{source}: field 'Epoch' is {Epoch}, beyond the {config.Epochs} epochs of this run.");
        if (BatchInEpoch > batchesPerEpoch)
            throw new InvalidDataException($"{source}: field 'BatchInEpoch' is {BatchInEpoch}, but an epoch has {batchesPerEpoch} batches (was the batch size or the data changed?).");
    }
}
