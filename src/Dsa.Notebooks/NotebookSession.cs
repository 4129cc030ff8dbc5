using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using Dsa.Interactive;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;

namespace Dsa.Notebooks;

/// <summary>
/// The execution engine, independent of any front end: runs cells of C# one after another against
/// one persistent Roslyn script state (the first cell is CSharpScript.Create(...).RunAsync, every
/// later one ContinueWithAsync, so variables, types and usings carry over like in a kernel), and
/// emits Jupyter-shaped outputs through an <see cref="IOutputSink"/>. The headless runner and a live
/// Jupyter kernel both drive this class. Cells run one at a time per session.
/// </summary>
public sealed class NotebookSession
{
    private readonly ScriptOptions options;
    private readonly CellGlobals globals;
    private readonly SemaphoreSlim oneCellAtATime = new(1, 1);
    private ScriptState<object>? state;

    public NotebookSession(string notebookDirectory)
    {
        DsaFormatters.Register();
        options = ScriptEnvironment.For(notebookDirectory);
        globals = new CellGlobals(notebookDirectory);
    }


    /// <summary>Jupyter's execution counter: incremented for every executed cell, including failing ones.</summary>
    public int ExecutionCount { get; private set; }

    /// <summary>
    /// How long an interrupted (or timed-out) cell may take to reach an interruption point (the top of
    /// a loop body, see <see cref="CellInterruption"/>) before the session abandons it: its code may go
    /// on running on a pool thread (.NET cannot abort a thread), its outputs are dropped, and the next
    /// cell continues from the script state of the last cell that finished. Abandoning instead of
    /// refusing later cells is what lets a live kernel survive a cell stuck in a native call or a sleep.
    /// </summary>
    public TimeSpan InterruptGracePeriod { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Executes one cell. Console output becomes stream outputs, display(...) display_data, a trailing
    /// expression (no semicolon) an execute_result, and a compile error or exception an error output.
    /// Cancelling <paramref name="cancellation"/> interrupts the cell at its next loop iteration (see
    /// <see cref="CellInterruption"/>) or abandons it after <see cref="InterruptGracePeriod"/>; the
    /// outcome is then <see cref="CellOutcome.Cancelled"/> and the session stays usable. The token is
    /// also given to the cell as CancellationToken. With <paramref name="storeHistory"/> false (Jupyter's
    /// store_history) the execution counter is not incremented.
    /// </summary>
    public async Task<CellExecution> ExecuteAsync(string source, IOutputSink sink, CancellationToken cancellation = default, bool storeHistory = true)
    {
        await oneCellAtATime.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            return await ExecuteOneAsync(source, sink, storeHistory, cancellation).ConfigureAwait(false);
        }
        finally
        {
            oneCellAtATime.Release();
        }
    }

    /// <summary>
    /// The compilation <paramref name="source"/> would get as the next cell (previous cells' variables,
    /// types and usings in scope), for completion and inspection; nothing runs. Directive lines are
    /// blanked with spaces, so positions in the result are positions in <paramref name="source"/>.
    /// </summary>
    public Compilation AnalysisCompilation(string source) => Compile(CellDirectives.Parse(source).Code);

    private Compilation Compile(string code)
    {
        var previous = state;
        var script = previous is null ? CSharpScript.Create(code, options, typeof(CellGlobals)) : previous.Script.ContinueWith(code, options);
        return script.GetCompilation();
    }

    private async Task<CellExecution> ExecuteOneAsync(string source, IOutputSink sink, bool storeHistory, CancellationToken cancellation)
    {
        int count = storeHistory ? ++ExecutionCount : ExecutionCount;
        var started = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var channel = new OutputChannel(sink);
        var directives = CellDirectives.Parse(source);
        CellOutcome outcome;
        if (directives.Error is not null)
        {
            channel.Publish(new ErrorOutput("DirectiveError", directives.Error, directives.Error.Split('\n')));
            outcome = CellOutcome.CompileError;
        }
        else
        {
            outcome = await RunAsync(InstrumentedCell.Instrument(directives.Code, Compile), channel, count, cancellation).ConfigureAwait(false);
        }
        clock.Stop();
        if (directives.ReportWallTime && outcome != CellOutcome.Cancelled)
            channel.Append("stdout", string.Create(CultureInfo.InvariantCulture, $"Wall time: {clock.Elapsed.TotalMilliseconds:F1}ms\n"));
        channel.Close();
        return new CellExecution(count, outcome, clock.Elapsed, started, DateTimeOffset.UtcNow);
    }

    private async Task<CellOutcome> RunAsync(InstrumentedCell cell, OutputChannel channel, int count, CancellationToken cancellation)
    {
        globals.BeginCell(cancellation);
        CellCancellation.Enter(cancellation); // for library code the cell calls (NotebookWorkspace.Cancellation); flows into the task below
        Task<ScriptState<object>> run;
        using (ConsoleCapture.Route(channel))
        using (Display.Attach(channel))
        using (CellInterruption.Enter(cancellation))
        {
            // Task.Run: Roslyn executes the submission synchronously up to its first await, and the
            // caller must be able to walk away from a cell that never returns. The AsyncLocal routes
            // set above flow into the task.
            var previous = state;
            run = Task.Run(() => previous is null
                ? CSharpScript.Create(cell.Code, options, typeof(CellGlobals)).RunAsync(globals, _ => true, cancellation)
                : previous.ContinueWithAsync(cell.Code, options, _ => true, cancellation), CancellationToken.None);
        }
        CellInterruption.Watch(run, cancellation);
        ScriptState<object>? next;
        try
        {
            next = await Settle(run, cancellation).ConfigureAwait(false);
        }
        catch (CompilationErrorException e)
        {
            channel.Publish(CompileError(cell, e.Diagnostics));
            return CellOutcome.CompileError;
        }
        catch (TimeoutException)
        {
            // Still running after the grace period: abandon it and keep the last finished state.
            string seconds = InterruptGracePeriod.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture);
            channel.Append("stderr", $"warning: the cell did not stop within {seconds} s of the interrupt; it was abandoned and may still be running in the background. Later cells continue from the state before it.\n");
            channel.Publish(new ErrorOutput("OperationCanceledException", $"The cell was interrupted and abandoned after {seconds} s.",
                [$"OperationCanceledException: the cell was interrupted or exceeded its time limit and did not stop within {seconds} s; its variables were not kept."]));
            return CellOutcome.Cancelled;
        }
        // Roslyn stopped before running the code (cancelled while compiling): the state is unchanged.
        if (next is not null) state = next;
        if (cancellation.IsCancellationRequested)
        {
            channel.Publish(new ErrorOutput("OperationCanceledException", "The cell was interrupted or exceeded its time limit.",
                ["OperationCanceledException: the cell was interrupted or exceeded its time limit; what it assigned before stopping is kept."]));
            return CellOutcome.Cancelled;
        }
        if (next!.Exception is { } exception)
        {
            channel.Publish(RuntimeError(exception));
            return CellOutcome.Exception;
        }
        // Roslyn's ReturnValue is the trailing expression's value (an expression without a semicolon
        // ends the submission); statements leave it null, and so does an expression that is null,
        // which Jupyter kernels also show nothing for.
        if (next.ReturnValue is { } value)
            channel.Publish(new ExecuteResultOutput(DsaFormatters.ToMimeBundle(value), count));
        return CellOutcome.Succeeded;
    }

    /// <summary>
    /// The cell's final state; null when it was cancelled before its code ran. Once cancelled, it
    /// waits <see cref="InterruptGracePeriod"/> more for the code to stop, then throws TimeoutException.
    /// </summary>
    private async Task<ScriptState<object>?> Settle(Task<ScriptState<object>> run, CancellationToken cancellation)
    {
        try
        {
            return await run.WaitAsync(cancellation).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested && !run.IsCompleted)
        {
        }
        catch (OperationCanceledException) when (run.IsCanceled || cancellation.IsCancellationRequested)
        {
            return null;
        }
        try
        {
            return await run.WaitAsync(InterruptGracePeriod).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    private static ErrorOutput CompileError(InstrumentedCell cell, ImmutableArray<Diagnostic> diagnostics)
    {
        var errors = diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(cell.Describe).ToList();
        if (errors.Count == 0) errors = diagnostics.Select(cell.Describe).ToList();
        return new ErrorOutput("CompilationError", errors.FirstOrDefault() ?? "compilation failed", errors);
    }

    private static ErrorOutput RuntimeError(Exception exception)
    {
        if (exception is AggregateException { InnerExceptions.Count: 1 } aggregate) exception = aggregate.InnerExceptions[0];
        var traceback = exception.ToString().Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        return new ErrorOutput(exception.GetType().Name, exception.Message, traceback);
    }
}
