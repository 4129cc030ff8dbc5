using System.Runtime.InteropServices;
using TorchSharp;

namespace Dsa;

/// <summary>
/// Turns libtorch's oneDNN (MKLDNN) convolutions off, once per process, before this library builds a network.
/// </summary>
/// <remarks>
/// Why: with libtorch 2.10 (libtorch-cpu-linux-x64) on this project's AMD EPYC machines, oneDNN's convolution
/// backward-data kernels (jit:avx512_core, and jit:avx2 under ONEDNN_MAX_CPU_ISA=AVX2) return wrong input gradients.
/// Measured on 3x3 Conv2d backward passes with 6-32 input and 1-32 output channels at 32x24 and 8x6, batch 2:
/// 122 of 336 input gradients were off by more than 1e-4 relative (up to 51 %) and 18 more held NaN or Inf, while
/// forward outputs were right. Without oneDNN, libtorch's own im2col + GEMM kernels match float64 (which oneDNN
/// never runs) to 4e-7. Training with oneDNN therefore followed wrong gradients, and now and then diverged. The cost:
/// a cpu-small DSA training step takes about 3x as long on two cores (dsa bench train: 4.0 s vs 1.3 s, batch 16),
/// the single-frame model's about 1.8x.
/// TorchSharp 0.107 has no binding for <c>torch.backends.mkldnn.enabled</c>, so this calls the libtorch function
/// that PyTorch's setter calls, <c>at::globalContext().setUserEnabledMkldnn(false)</c>, by its exported name.
/// Set <c>DSA_ONEDNN=1</c> to keep oneDNN (to compare speed, or on a machine without the fault).
/// </remarks>
public static class OneDnnConvolutions
{
    public const string KeepVariable = "DSA_ONEDNN";

    private static readonly Lazy<bool> applied = new(Apply, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Idempotent; loads libtorch if it is not loaded yet. Called by the constructors of this library's networks.</summary>
    public static void EnsureConfigured() => _ = applied.Value;

    /// <summary>Whether libtorch will use oneDNN for convolutions now (loads libtorch).</summary>
    public static bool Enabled
    {
        get
        {
            torch.InitializeDeviceType(DeviceType.CPU);
            return userEnabledMkldnn(globalContext());
        }
    }

    /// <summary>
    /// Lets <see cref="ForGradientFreeForward"/> turn oneDNN on: its forward convolutions are right and 2-5x faster
    /// than libtorch's own here. Off by default, because the switch is process-wide: a convolution backward on another
    /// thread while a scope is open would get oneDNN's wrong input gradients. Set it only in a process whose
    /// gradient-free forwards and backward passes never run at the same time, as the `dsa` command line's are (one
    /// workflow on one thread; its data-loading threads do not convolve).
    /// </summary>
    public static bool GradientFreeForwardsAllowed { get; set; }

    private static readonly object gate = new();
    private static int openScopes;

    /// <summary>
    /// While the returned scope is open, convolutions use oneDNN, if <see cref="GradientFreeForwardsAllowed"/>, oneDNN is
    /// off by this class, and no autograd graph can be recorded (torch.no_grad is in force: nothing convolved here is
    /// ever differentiated). Otherwise it does nothing. Scopes nest.
    /// </summary>
    public static IDisposable ForGradientFreeForward()
    {
        if (!GradientFreeForwardsAllowed || !applied.Value || torch.is_grad_enabled()) return NoScope.Instance;
        lock (gate)
        {
            if (openScopes++ == 0) setUserEnabledMkldnn(globalContext(), true);
        }
        return new Scope();
    }

    private sealed class Scope : IDisposable
    {
        private bool disposed;

        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            lock (gate)
            {
                if (--openScopes == 0) setUserEnabledMkldnn(globalContext(), false);
            }
        }
    }

    private sealed class NoScope : IDisposable
    {
        public static readonly NoScope Instance = new();
        public void Dispose() { }
    }

    private static bool Apply()
    {
        if (Environment.GetEnvironmentVariable(KeepVariable) == "1") return false;
        torch.InitializeDeviceType(DeviceType.CPU); // libtorch_cpu must be in the process before its symbols resolve
        var context = globalContext();
        setUserEnabledMkldnn(context, false);
        // With oneDNN off, libtorch would next try NNPACK, which cannot initialise on these CPUs and says so on stderr
        // ("Could not initialize NNPACK! Reason: Unsupported hardware") in every process; not asking it keeps that quiet.
        setUserEnabledNNPACK(context, false);
        return true;
    }

    // at::Context& at::globalContext(); a reference is a pointer in the Itanium C++ ABI.
    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at13globalContextEv")]
    private static extern IntPtr globalContext();

    // void at::Context::setUserEnabledMkldnn(bool); `this` is the first argument.
    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
    private static extern void setUserEnabledMkldnn(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [DllImport("libtorch_cpu", EntryPoint = "_ZN2at7Context20setUserEnabledNNPACKEb")]
    private static extern void setUserEnabledNNPACK(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    // bool at::Context::userEnabledMkldnn() const
    [DllImport("libtorch_cpu", EntryPoint = "_ZNK2at7Context17userEnabledMkldnnEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static extern bool userEnabledMkldnn(IntPtr context);
}
