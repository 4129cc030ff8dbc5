namespace Dsa.Benchmarks;

/// <summary>
/// Timing of forward + backward of one <see cref="DeformConvBenchmarkCase"/> by one implementation.
/// </summary>
/// <param name="Implementation"><see cref="DeformConvBenchmark.Implementation"/>, <see cref="DeformConvBenchmark.GridSampleImplementation"/>
/// or "torchvision.ops.deform_conv2d (versions)".</param>
/// <param name="Case">The case name.</param>
/// <param name="InputShape">[B, C, H, W]</param>
/// <param name="OutChannels">Cout.</param>
/// <param name="Repeats">Timed runs (after the warm-up runs).</param>
/// <param name="MedianSeconds">Median wall time of one forward + backward.</param>
/// <param name="MinSeconds">Fastest run.</param>
/// <param name="PeakResidentBytes">Peak resident set size of the whole process (Linux VmHWM) while the
/// case ran; the counter is reset before each case where the kernel allows it
/// (<see cref="PeakResetPerCase"/>), otherwise it is the peak since process start.</param>
/// <param name="PeakResetPerCase">Whether the peak was reset before this case.</param>
/// <param name="TorchThreads">torch.get_num_threads() (intra-op threads).</param>
public sealed record DeformConvBenchmarkResult(string Implementation, string Case, long[] InputShape, long OutChannels,
    int Repeats, double MedianSeconds, double MinSeconds, long PeakResidentBytes, bool PeakResetPerCase, int TorchThreads);
