namespace Dsa.Notebooks;

/// <summary>
/// What a cell's <c>Environment.Exit</c> and <c>Environment.FailFast</c> calls become
/// (<see cref="InstrumentedCell"/>): an exception, so the cell fails with an error output naming the
/// call, its notebook stops there with its output written, and the runner goes on with the next
/// notebook (a kernel stays alive). Public because instrumented cells call it.
/// </summary>
public static class CellExit
{
    public static void Exit(int exitCode) =>
        throw new CellExitException($"Environment.Exit({exitCode}) was called; a cell cannot end the process that runs the notebook, so this cell fails instead.");

    public static void FailFast(string? message) => FailFast(message, null);

    public static void FailFast(string? message, Exception? exception) =>
        throw new CellExitException($"Environment.FailFast(\"{message}\") was called; a cell cannot end the process that runs the notebook, so this cell fails instead.", exception);

    public static void FailFast(string? message, Exception? exception, string? errorMessage) => FailFast(message, exception);
}

/// <summary>A cell asked to end the process (see <see cref="CellExit"/>).</summary>
public sealed class CellExitException(string message, Exception? inner = null) : Exception(message, inner);
