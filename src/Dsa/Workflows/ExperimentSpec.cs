using Dsa.Data.Pipeline;
using Dsa.Nn;
using Dsa.Training;

namespace Dsa.Workflows;

/// <summary>One training-and-evaluation run.</summary>
/// <param name="RunDir">The run folder (runs/NAME).</param>
/// <param name="BackboneWeights">An official HRNet COCO checkpoint (.pth) loaded into the backbone before training (the paper's COCO pretraining).</param>
/// <param name="InitBackboneFrom">A DSA checkpoint (e.g. a trained single-frame baseline) whose backbone weights start this run
/// (the paper starts from a pretrained backbone; our synthetic demo pretrains its own).</param>
/// <param name="WarmStartFrom">A single-frame checkpoint whose backbone AND head start this run (see Checkpoint.WarmStart).</param>
/// <param name="Device">"cpu" or "cuda" (CUDA needs the TorchBackend=cuda-linux build).</param>
/// <param name="MaxTrainSamples">Use only the first N training samples (quick runs); null = all.</param>
public sealed record ExperimentSpec(
    string RunDir,
    ModelConfig Model,
    TrainConfig Train,
    DatasetFolder Data,
    bool Force = false,
    bool Resume = false,
    string? BackboneWeights = null,
    AugmentationConfig? Augmentation = null,
    int? MaxTrainSamples = null,
    int Threads = 0,
    string Device = "cpu",
    string? InitBackboneFrom = null,
    string? WarmStartFrom = null)
{
    /// <summary>Limits on reading <see cref="BackboneWeights"/> (null: the default, twice the file plus the backbone's size).</summary>
    public Dsa.IO.TensorReadLimits? WeightLimits { get; init; }
}
