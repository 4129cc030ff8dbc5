using System.Runtime.InteropServices;
using TorchSharp;

namespace Dsa;

/// <summary>
/// Decides, once per process and before this library builds a network, whether libtorch may use oneDNN (MKLDNN) for
/// convolutions: only where its backward pass is right on this machine (<see cref="ConvolutionGradientProbe"/>).
/// </summary>
/// <remarks>
/// Why: with libtorch 2.10 (libtorch-cpu-linux-x64) on this project's AMD EPYC machines, oneDNN's convolution
/// backward-data kernels (jit:avx512_core, and jit:avx2 under ONEDNN_MAX_CPU_ISA=AVX2) return wrong input gradients.
/// Measured on 3x3 Conv2d backward passes with 6-32 input and 1-32 output channels at 32x24 and 8x6, batch 2:
/// 122 of 336 input gradients were off by more than 1e-4 relative (up to 51 %) and 18 more held NaN or Inf, while
/// forward outputs were right. Without oneDNN, libtorch's own im2col + GEMM kernels match float64 (which oneDNN
/// never runs) to 4e-7. On the Intel Xeon machines the project also runs on, the same passes are right with oneDNN,
/// which makes a cpu-small DSA training step about twice as fast (dsa bench train, batch 16, 2 threads: 1.13 s vs
/// 2.25 s). So the default is to measure: the probe's dozen backward passes (tens of milliseconds) decide, and the
/// decision with its evidence is <see cref="Decision"/> (`dsa info` prints it, benchmarks record it).
/// <c>DSA_ONEDNN=1</c> keeps oneDNN without probing, <c>DSA_ONEDNN=0</c> turns it off.
/// TorchSharp 0.107 has no binding for <c>torch.backends.mkldnn.enabled</c>, so this calls the libtorch function
/// that PyTorch's setter calls, <c>at::globalContext().setUserEnabledMkldnn(..)</c>, by its exported name.
/// </remarks>
public static class OneDnnConvolutions
{
    public const string KeepVariable = "DSA_ONEDNN";

    private static readonly Lazy<OneDnnDecision> decided = new(Decide, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Idempotent; loads libtorch and runs the probe if that is not done yet. Called by the constructors of this library's networks.</summary>
    public static void EnsureConfigured() => _ = decided.Value;

    /// <summary>Whether oneDNN stays on for this process, and why (runs the decision if it has not run yet).</summary>
    public static OneDnnDecision Decision => CurrentDecision;

    private static OneDnnDecision? imposed;
    private static OneDnnDecision CurrentDecision => imposed ?? decided.Value;

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
    /// Lets <see cref="ForGradientFreeForward"/> turn oneDNN on where the probe turned it off: its forward convolutions
    /// are right there and 2-5x faster than libtorch's own. Off by default, because the switch is process-wide: a convolution backward on another
    /// thread while a scope is open would get oneDNN's wrong input gradients. Set it only in a process whose
    /// gradient-free forwards and backward passes never run at the same time, as the `dsa` command line's are (one
    /// workflow on one thread; its data-loading threads do not convolve).
    /// </summary>
    public static bool GradientFreeForwardsAllowed { get; set; }

    private static readonly object gate = new();
    private static int openScopes;

    /// <summary>
    /// While the returned scope is open, convolutions use oneDNN, if <see cref="GradientFreeForwardsAllowed"/>, oneDNN is
    /// off because the probe found its backward wrong, and no autograd graph can be recorded (torch.no_grad is in force: nothing convolved here is
    /// ever differentiated). Otherwise it does nothing. Scopes nest.
    /// </summary>
    public static IDisposable ForGradientFreeForward()
    {
        if (!GradientFreeForwardsAllowed || !CurrentDecision.FaultMeasured || torch.is_grad_enabled()) return NoScope.Instance;
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

    private static OneDnnDecision Decide()
    {
        torch.InitializeDeviceType(DeviceType.CPU); // libtorch_cpu must be in the process before its symbols resolve
        var context = globalContext();
        // With oneDNN off, libtorch would next try NNPACK, which cannot initialise on these CPUs and says so on stderr
        // ("Could not initialize NNPACK! Reason: Unsupported hardware") in every process; not asking it keeps that quiet.
        setUserEnabledNNPACK(context, false);
        switch (Environment.GetEnvironmentVariable(KeepVariable))
        {
            case "1":
                setUserEnabledMkldnn(context, true);
                return new OneDnnDecision(true, $"{KeepVariable}=1", null);
            case "0":
                setUserEnabledMkldnn(context, false);
                return new OneDnnDecision(false, $"{KeepVariable}=0", null);
        }
        setUserEnabledMkldnn(context, true);
        var check = ConvolutionGradientProbe.Run();
        setUserEnabledMkldnn(context, check.Passed);
        return new OneDnnDecision(check.Passed, $"probe: {check}", check);
    }

    /// <summary>
    /// Takes <paramref name="decision"/> as if the probe had made it, and sets libtorch accordingly: to time both settings
    /// in one process, or to test the gradient-free scope on a machine without the fault. Process-wide: call it only where
    /// no other thread convolves.
    /// </summary>
    public static void Impose(OneDnnDecision decision)
    {
        EnsureConfigured();
        lock (gate)
        {
            imposed = decision;
            setUserEnabledMkldnn(globalContext(), decision.Enabled);
        }
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
