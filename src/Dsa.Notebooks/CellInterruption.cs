namespace Dsa.Notebooks;

/// <summary>
/// Cooperative interruption of running cells. A .NET thread cannot be aborted, so a live kernel that
/// must survive Jupyter's "interrupt" needs the cell to stop itself: before compiling, the engine
/// puts a call to <see cref="ThrowIfInterrupted"/> at the top of every loop body of the cell
/// (<see cref="InstrumentedCell"/>), and an interrupted cell throws OperationCanceledException at
/// its next loop iteration, which Roslyn reports like any exception, leaving a usable script state.
/// </summary>
/// <remarks>
/// The token is the one of the cell running on the caller's logical call context (an AsyncLocal,
/// like <see cref="Dsa.Interactive.Display"/>'s sink), not the cell whose source holds the loop:
/// a training loop defined in an earlier cell and called from the interrupted one stops too, and a
/// cell abandoned earlier (<see cref="NotebookSession.InterruptGracePeriod"/>) keeps its own, cancelled
/// token, so it stops as soon as it reaches a loop again. The common path (no interrupt pending in
/// the process) is one volatile read, so a tight scalar loop pays about a nanosecond per iteration.
/// </remarks>
public static class CellInterruption
{
    private static readonly AsyncLocal<CancellationToken> Current = new();

    // Cells whose token was cancelled and whose code has not returned yet (interrupted, timed out or
    // abandoned). While it is zero no check needs to read the AsyncLocal.
    private static int pendingInterrupts;

    /// <summary>Called by the instrumented code at the top of every loop body; throws when the running cell was interrupted.</summary>
    public static void ThrowIfInterrupted()
    {
        if (Volatile.Read(ref pendingInterrupts) == 0) return;
        Current.Value.ThrowIfCancellationRequested();
    }

    /// <summary>Makes <paramref name="token"/> the interruption token of this call context (and the tasks it starts) until disposed.</summary>
    internal static IDisposable Enter(CancellationToken token)
    {
        var previous = Current.Value;
        Current.Value = token;
        return new Restore(previous);
    }

    /// <summary>Counts <paramref name="run"/> as interrupted from the moment <paramref name="token"/> is cancelled until the task ends.</summary>
    internal static void Watch(Task run, CancellationToken token)
    {
        var registration = token.Register(() =>
        {
            Interlocked.Increment(ref pendingInterrupts);
            run.ContinueWith(_ => Interlocked.Decrement(ref pendingInterrupts), CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        });
        run.ContinueWith(_ => registration.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private sealed class Restore(CancellationToken previous) : IDisposable
    {
        public void Dispose() => Current.Value = previous;
    }
}
