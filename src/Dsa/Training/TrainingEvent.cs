namespace Dsa.Training;

/// <summary>Progress of a training run, reported through IProgress (the CLI draws bars, notebooks draw curves).</summary>
/// <param name="Kind">What happened (<see cref="TrainingEventKind"/>).</param>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="Step">Global optimiser step (1-based after the step).</param>
/// <param name="StepsTotal">Steps in the whole run.</param>
/// <param name="Loss">Loss of this step (step events).</param>
/// <param name="SamplesPerSecond">Throughput averaged since the last event.</param>
/// <param name="ValidationMap">Validation mAP in percent (validation events).</param>
public sealed record TrainingEvent(
    TrainingEventKind Kind,
    int Epoch,
    long Step,
    long StepsTotal,
    double LearningRate,
    double? Loss = null,
    double? SamplesPerSecond = null,
    double? ValidationMap = null,
    string? Message = null)
{
    /// <summary>The kind as log.jsonl and log.csv spell it: "step", "validation", "checkpoint", "stopped", "warning".</summary>
    public string KindName => Kind.ToString().ToLowerInvariant();

    /// <summary>Reads a kind as the logs spell it.</summary>
    /// <exception cref="FormatException">When <paramref name="name"/> is not one of the five kinds.</exception>
    public static TrainingEventKind ParseKind(string name) =>
        Enum.TryParse<TrainingEventKind>(name, ignoreCase: true, out var kind) && kind.ToString().Equals(name, StringComparison.OrdinalIgnoreCase)
            ? kind
            : throw new FormatException($"'{name}' is not a training event kind (step, validation, checkpoint, stopped, warning).");
}
