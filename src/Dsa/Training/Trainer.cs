using Dsa.Nn;
using TorchSharp;

namespace Dsa.Training;

/// <summary>Entry points of training: seeding, one call that runs a <see cref="TrainingLoop"/>.</summary>
public static class Trainer
{
    /// <summary>Seeds torch's CPU generator; call before building the model so its initial weights repeat.</summary>
    public static void Seed(int seed) => torch.manual_seed(seed);

    /// <summary>Trains <paramref name="model"/> with a new <see cref="TrainingLoop"/> (see there for what it does).</summary>
    public static TrainingOutcome Run(
        DsaNet model,
        ITrainingData data,
        TrainConfig config,
        ITrainingOutputs outputs,
        IValidator? validator = null,
        bool resume = false,
        IProgress<TrainingEvent>? progress = null,
        CancellationToken cancellation = default)
    {
        using var loop = new TrainingLoop(model, data, config, outputs, validator, progress);
        return loop.Run(resume, cancellation);
    }
}
