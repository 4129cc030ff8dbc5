namespace Dsa.Training;

/// <summary>Progress of a training run, reported through IProgress (the CLI draws bars, notebooks draw curves).</summary>
/// <param name="Kind">"step", "validation", "checkpoint", "stopped", "warning" (something was skipped or cleaned up; the message says what).</param>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="Step">Global optimiser step (1-based after the step).</param>
/// <param name="StepsTotal">Steps in the whole run.</param>
/// <param name="Loss">Loss of this step (step events).</param>
/// <param name="SamplesPerSecond">Throughput averaged since the last event.</param>
/// <param name="ValidationMap">Validation mAP in percent (validation events).</param>
public sealed record TrainingEvent(
    string Kind,
    int Epoch,
    long Step,
    long StepsTotal,
    double LearningRate,
    double? Loss = null,
    double? SamplesPerSecond = null,
    double? ValidationMap = null,
    string? Message = null);
