using System.Runtime.InteropServices;

namespace Dsa.Cli;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM: the first one cancels <see cref="Token"/>, so a training job
/// writes its checkpoint and returns; a second one terminates at once, as usual. (System.CommandLine's
/// own handler kills the process after a timeout, which could cut a large checkpoint write short.)
/// </summary>
internal static class Interruption
{
    private static readonly CancellationTokenSource Source = new();
    private static readonly List<PosixSignalRegistration> Registrations = new();
    private static volatile Action? interruptHandler;

    public static CancellationToken Token => Source.Token;

    /// <summary>
    /// From now on SIGINT calls <paramref name="interrupt"/> instead of stopping the process: a
    /// Jupyter kernel treats it as "interrupt the running cell" (a Ctrl-C typed in the terminal of
    /// `jupyter lab` reaches its kernels too, and must not kill them). SIGTERM still cancels <see cref="Token"/>.
    /// </summary>
    public static void RouteInterruptTo(Action interrupt) => interruptHandler = interrupt;

    public static void Install()
    {
        if (Registrations.Count > 0) return; // the entry point may run more than once in one process (tests)
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
            Registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                if (context.Signal == PosixSignal.SIGINT && interruptHandler is { } interrupt)
                {
                    context.Cancel = true;
                    interrupt();
                    return;
                }
                if (Source.IsCancellationRequested) return; // second signal: default behaviour (terminate)
                context.Cancel = true;
                Console.Error.WriteLine($"\n{context.Signal}: stopping; a training run writes its checkpoint, a notebook run its notebooks (send it again to quit at once).");
                Source.Cancel();
            }));
    }
}
