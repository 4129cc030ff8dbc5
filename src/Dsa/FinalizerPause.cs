using Dsa.Data.Pipeline;

namespace Dsa;

/// <summary>
/// Holds the .NET finalizer thread while libtorch work runs, so that TorchSharp's implicitly created
/// Scalars cannot be freed under libtorch's feet.
/// <para>Why: TorchSharp 0.107 turns numbers into <c>Scalar</c> objects without disposing them or keeping
/// them alive across the native call: <c>a + b</c> is <c>add(b, alpha: 1)</c>, BatchNorm's forward does
/// <c>num_batches_tracked.add_(1)</c>, and Adam's step passes several. Once the native call has the
/// Scalar's handle, the managed object is unreachable; if another thread allocates (our DataLoader's
/// workers decode frames during every step) a GC runs, the Scalar's finalizer frees the native c10::Scalar,
/// and libtorch reads freed memory: "Expected false to be true ... toFloat" or "Unknown scalar type"
/// (upstream: dotnet/TorchSharp pull requests 1434 and 1496, not merged in 0.107). We reproduced it with
/// <c>a + b</c> in a loop while a second thread allocates (tests/Dsa.Tests/Runtime/FinalizerPauseTests.cs).</para>
/// <para>How: <see cref="Begin"/> parks the finalizer thread inside the finalizer of a gate object and
/// returns once it is parked; GCs still run, but the Scalars they find dead wait in the finalization
/// queue until the outermost pause ends, after every native call that used them has returned.
/// Pauses nest and may be taken from several threads; the finalizer thread is released when the last
/// one ends. Keep pauses short (a training step, an inference batch): nothing is finalized meanwhile.
/// Never call GC.WaitForPendingFinalizers inside a pause (it would wait for the parked thread).</para>
/// </summary>
public static class FinalizerPause
{
    private static readonly object Sync = new();
    private static int depth;
    private static ManualResetEventSlim? release;

    /// <summary>True while at least one pause is active (the finalizer thread is parked).</summary>
    public static bool IsActive
    {
        get { lock (Sync) return depth > 0; }
    }

    /// <summary>Starts a pause; dispose the result to end it.</summary>
    public static IDisposable Begin()
    {
        lock (Sync)
        {
            if (depth++ == 0)
            {
                var gate = new ManualResetEventSlim(false);
                using var parked = new ManualResetEventSlim(false);
                Park(parked, gate);
                // The gate object is garbage now; collect until its finalizer runs and parks the thread.
                // It is normally found by the first collection; a young object promoted by a GC that ran
                // between its allocation and ours needs an older generation, hence the escalation.
                for (int generation = 0; !parked.Wait(generation == 0 ? 0 : 20); generation = Math.Min(generation + 1, GC.MaxGeneration))
                    GC.Collect(generation, GCCollectionMode.Forced, blocking: true);
                release = gate;
            }
        }
        return new Pause();
    }

    private static void End()
    {
        lock (Sync)
        {
            if (--depth > 0) return;
            release!.Set();
            release = null;
        }
    }

    // A separate, never-inlined method so that no local of Begin keeps the gate object reachable.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void Park(ManualResetEventSlim parked, ManualResetEventSlim gate) => _ = new Gate(parked, gate);

    private sealed class Gate(ManualResetEventSlim parked, ManualResetEventSlim gate)
    {
        ~Gate()
        {
            parked.Set();
            gate.Wait();
            gate.Dispose();
        }
    }

    private sealed class Pause : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0) End();
        }
    }
}
