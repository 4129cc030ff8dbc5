using Dsa.Data.Pipeline;
using Dsa.IO;
using Dsa.Nn;
using Dsa.Training;

namespace Dsa.Workflows;

/// <summary>One training-and-evaluation run: what is trained on what (the constructor), and how (named properties, defaults as `dsa train`'s).</summary>
/// <param name="RunDir">The run folder (runs/NAME).</param>
public sealed record ExperimentSpec(string RunDir, ModelConfig Model, TrainConfig Train, DatasetFolder Data)
{
    /// <summary>Overwrite a run folder that holds a run.</summary>
    public bool Force { get; init; }
    /// <summary>Continue the run in the folder from its last checkpoint.</summary>
    public bool Resume { get; init; }
    /// <summary>An official HRNet COCO checkpoint (.pth) loaded into the backbone before training (the paper's COCO pretraining).</summary>
    public string? BackboneWeights { get; init; }
    /// <summary>Limits on reading <see cref="BackboneWeights"/> (null: the default, twice the file plus the backbone's size).</summary>
    public TensorReadLimits? WeightLimits { get; init; }
    /// <summary>Augmentation of the training samples (null: the paper's).</summary>
    public AugmentationConfig? Augmentation { get; init; }
    /// <summary>Use only the first N training samples (quick runs); null = all.</summary>
    public int? MaxTrainSamples { get; init; }
    /// <summary>libtorch intra-op threads; 0 keeps libtorch's default.</summary>
    public int Threads { get; init; }
    /// <summary>"cpu" or "cuda[:N]" (CUDA needs the TorchBackend=cuda-linux build).</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>A DSA checkpoint (e.g. a trained single-frame baseline) whose backbone weights start this run
    /// (the paper starts from a pretrained backbone; our synthetic demo pretrains its own).</summary>
    public string? InitBackboneFrom { get; init; }
    /// <summary>A single-frame checkpoint whose backbone AND head start this run (see Checkpoint.WarmStart).</summary>
    public string? WarmStartFrom { get; init; }
}
