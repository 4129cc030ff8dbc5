namespace Dsa.Benchmarks;

/// <summary>
/// The runtime settings a training step ran under (`dsa bench train --profile`), the ones where libtorch 2.10 and
/// Debian's PyTorch 1.13 may differ by default: thread pools, oneDNN, the build's BLAS and CPU capability, the
/// activations' memory format; on our side also the .NET GC's mode. The PyTorch mirror writes the same fields.
/// </summary>
/// <param name="IntraOpThreads">torch.get_num_threads().</param>
/// <param name="InterOpThreads">torch.get_num_interop_threads().</param>
/// <param name="MkldnnAvailable">Built with oneDNN (torch.backends.mkldnn.is_available()); null where it cannot be asked.</param>
/// <param name="MkldnnEnabled">Convolutions may use oneDNN now (torch.backends.mkldnn.enabled; ours: <see cref="OneDnnConvolutions.Enabled"/>).</param>
/// <param name="OneDnnNote">Why (ours: the probe's decision, and whether a frozen backbone's gradient-free forward turns oneDNN on).</param>
/// <param name="InputMemoryFormat">The frames [B, T, 3, H, W] (<see cref="TensorMemoryFormat"/>).</param>
/// <param name="HeadInputMemoryFormat">The head's input, the concatenated features [B, T*C, h, w].</param>
/// <param name="OutputMemoryFormat">The heatmaps [B, J, h, w].</param>
/// <param name="ParallelBackend">"ATen parallel backend" of parallel_info (OpenMP or native).</param>
/// <param name="CpuCapability">"CPU capability usage" of show_config (the vectorised kernels' ISA: AVX2, AVX512 ...).</param>
/// <param name="BlasInfo">"BLAS_INFO" of show_config (mkl, open, generic ...).</param>
/// <param name="ParallelInfo">The whole parallel_info text.</param>
/// <param name="BuildConfig">The whole show_config text.</param>
/// <param name="GcServer">.NET server GC (ours only).</param>
/// <param name="GcConcurrent">.NET background (concurrent) GC (ours only).</param>
/// <param name="GcLatencyMode">GCSettings.LatencyMode (ours only).</param>
public sealed record TrainRuntimeSettings(
    int IntraOpThreads,
    int InterOpThreads,
    bool? MkldnnAvailable,
    bool MkldnnEnabled,
    string? OneDnnNote,
    string? InputMemoryFormat,
    string? HeadInputMemoryFormat,
    string? OutputMemoryFormat,
    string? ParallelBackend,
    string? CpuCapability,
    string? BlasInfo,
    string? ParallelInfo,
    string? BuildConfig,
    bool? GcServer = null,
    bool? GcConcurrent = null,
    string? GcLatencyMode = null);
