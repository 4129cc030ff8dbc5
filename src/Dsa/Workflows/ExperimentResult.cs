using Dsa.Data;
using Dsa.Evaluation;
using Dsa.Inference;
using Dsa.Nn;
using Dsa.Training;

namespace Dsa.Workflows;

/// <summary>What <see cref="Experiment.Run"/> produced; the files are in <see cref="Run"/>.</summary>
/// <param name="Predictions">The validation predictions <paramref name="Validation"/> scored (also in the run's predictions/),
/// so that reports and result files use them without reading them back.</param>
/// <param name="Offsets">How well the trained alignment's offsets follow the true motion on the validation videos; null for
/// models without alignment (and for results read back from a run that did not record it).</param>
public sealed record ExperimentResult(ModelConfig Model, TrainingOutcome Outcome, ApResult Validation, IReadOnlyList<VideoAnnotation> Predictions,
    RunFolder Run, TimeSpan Elapsed,
    AlignmentOffsetReport? Offsets = null);
