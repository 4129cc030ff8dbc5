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
    private readonly PlotlyJsScope plotlyJs = new();
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
    /// True after a cell was cancelled or timed out: its code may still be running on a pool thread
    /// (.NET cannot abort it) and the script state is unknown, so the session accepts no more cells.
    /// </summary>
    public bool IsBroken { get; private set; }

    /// <summary>
    /// Executes one cell. Console output becomes stream outputs, display(...) display_data, a trailing
    /// expression (no semicolon) an execute_result, and a compile error or exception an error output.
    /// Cancelling <paramref name="cancellation"/> abandons the cell at once (see <see cref="IsBroken"/>);
    /// the token is also given to the cell as CancellationToken, for loops that check it.
    /// </summary>
    public async Task<CellExecution> ExecuteAsync(string source, IOutputSink sink, CancellationToken cancellation = default)
    {
        if (IsBroken) throw new InvalidOperationException("The session's previous cell was cancelled while running; start a new session.");
        await oneCellAtATime.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            return await ExecuteOneAsync(source, sink, cancellation).ConfigureAwait(false);
        }
        finally
        {
            oneCellAtATime.Release();
        }
    }

    private async Task<CellExecution> ExecuteOneAsync(string source, IOutputSink sink, CancellationToken cancellation)
    {
        int count = ++ExecutionCount;
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
            outcome = await RunAsync(directives.Code, channel, count, cancellation).ConfigureAwait(false);
        }
        clock.Stop();
        if (directives.ReportWallTime && outcome != CellOutcome.Cancelled)
            channel.Append("stdout", string.Create(CultureInfo.InvariantCulture, $"Wall time: {clock.Elapsed.TotalMilliseconds:F1}ms\n"));
        channel.Close();
        return new CellExecution(count, outcome, clock.Elapsed, started, DateTimeOffset.UtcNow);
    }

    private async Task<CellOutcome> RunAsync(string code, OutputChannel channel, int count, CancellationToken cancellation)
    {
        globals.BeginCell(cancellation);
        // For the whole cell (displays inside the script and the trailing expression's result):
        // plotly.js goes into this session's first chart only. Restored when this async method returns.
        using var plotlyJsOnce = DsaFormatters.Attach(plotlyJs);
        Task<ScriptState<object>> run;
        using (ConsoleCapture.Route(channel))
        using (Display.Attach(channel))
        {
            // Task.Run: Roslyn executes the submission synchronously up to its first await, and the
            // caller must be able to walk away from a cell that never returns. The AsyncLocal routes
            // set above flow into the task.
            var previous = state;
            run = Task.Run(() => previous is null
                ? CSharpScript.Create(code, options, typeof(CellGlobals)).RunAsync(globals, _ => true, cancellation)
                : previous.ContinueWithAsync(code, options, _ => true, cancellation), CancellationToken.None);
        }
        ScriptState<object> next;
        try
        {
            next = await run.WaitAsync(cancellation).ConfigureAwait(false);
        }
        catch (CompilationErrorException e)
        {
            channel.Publish(CompileError(e.Diagnostics));
            return CellOutcome.CompileError;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            IsBroken = true;
            channel.Publish(new ErrorOutput("OperationCanceledException", "The cell was cancelled or exceeded its time limit.",
                ["OperationCanceledException: the cell was cancelled or exceeded its time limit; later cells were not run."]));
            return CellOutcome.Cancelled;
        }
        state = next;
        if (next.Exception is { } exception)
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

    private static ErrorOutput CompileError(ImmutableArray<Diagnostic> diagnostics)
    {
        var errors = diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()).ToList();
        if (errors.Count == 0) errors = diagnostics.Select(d => d.ToString()).ToList();
        return new ErrorOutput("CompilationError", errors.FirstOrDefault() ?? "compilation failed", errors);
    }

    private static ErrorOutput RuntimeError(Exception exception)
    {
        if (exception is AggregateException { InnerExceptions.Count: 1 } aggregate) exception = aggregate.InnerExceptions[0];
        var traceback = exception.ToString().Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        return new ErrorOutput(exception.GetType().Name, exception.Message, traceback);
    }
}
