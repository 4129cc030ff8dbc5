using Dsa.Evaluation;
using Dsa.Inference;
using Dsa.Nn;
using Dsa.Training;

namespace Dsa.Workflows;

/// <summary>What <see cref="Experiment.Run"/> produced; the files are in <see cref="Run"/>.</summary>
/// <param name="Offsets">How well the trained alignment's offsets follow the true motion on the validation videos; null for
/// models without alignment (and for results read back from a run that did not record it).</param>
public sealed record ExperimentResult(ModelConfig Model, TrainingOutcome Outcome, ApResult Validation, RunFolder Run, TimeSpan Elapsed,
    AlignmentOffsetReport? Offsets = null);
