using Dsa.Evaluation;
using Dsa.Nn;

namespace Dsa.Training;

/// <summary>What <see cref="Experiment.Run"/> produced; the files are in <see cref="Run"/>.</summary>
public sealed record ExperimentResult(ModelConfig Model, TrainingOutcome Outcome, ApResult Validation, RunFolder Run, TimeSpan Elapsed);
