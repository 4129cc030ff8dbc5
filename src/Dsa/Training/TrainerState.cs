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
    DateTimeOffset SavedAt);
