using Dsa.Nn;
using Dsa.Training;

namespace Dsa.Workflows;

/// <summary>One (row, seed) of a planned ablation grid with its fully resolved configuration.</summary>
/// <param name="Index">0-based: the Slurm array task id or Kubernetes completion index that runs it.</param>
/// <param name="RunDir">Its run folder, relative to the plan folder (cells/ROW/seedN).</param>
public sealed record AblationPlanCell(int Index, string Row, int Seed, string RunDir, ModelConfig Model, TrainConfig Train);
