using System.Text.Json.Serialization;
using Dsa.Nn;

namespace Dsa.Benchmarks;

/// <summary>Training-step throughput of one <see cref="TrainBenchmarkCase"/> by one implementation (the PyTorch mirror writes the same fields).</summary>
/// <param name="Implementation">"TorchSharp ..." or "PyTorch ...", with versions.</param>
/// <param name="InputShape">[B, T, 3, H, W] of the random input.</param>
/// <param name="Parameters">All parameters of the model (must equal across implementations: same architecture).</param>
/// <param name="TrainableParameters">Parameters the optimiser updates (the backbone's are excluded when it is frozen).</param>
/// <param name="Steps">Timed steps (after the warm-up ones); one step = forward + loss + backward + Adam step.</param>
/// <param name="MedianSeconds">Median wall time of one step.</param>
/// <param name="SamplesPerSecond">Batch size / median step time.</param>
/// <param name="PeakResidentBytes">Process VmHWM while the case ran (reset before it where the kernel allows: <paramref name="PeakResetPerCase"/>).</param>
/// <param name="Profile">With --profile: the step's phases (then each step also reads the loss, as the Trainer does); null otherwise,
/// and in files written before the option (so they still read).</param>
/// <param name="Settings">With --profile: the thread pools, oneDNN, BLAS, CPU capability and memory formats the step ran under.</param>
public sealed record TrainBenchmarkResult(string Implementation, string Case, long[] InputShape, long Parameters, long TrainableParameters,
    int Steps, double MedianSeconds, double MinSeconds, double SamplesPerSecond, long PeakResidentBytes, bool PeakResetPerCase, int TorchThreads,
    TrainStepProfile? Profile = null, TrainRuntimeSettings? Settings = null)
{
    /// <summary>The deformable convolutions' implementation our side ran (null for the PyTorch mirror and in files): what
    /// `--compare-deform` sorts its results by. <see cref="Implementation"/> names it for readers.</summary>
    [JsonIgnore]
    public DeformConvImplementation? Deform { get; init; }
}
