using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Dsa.Interactive;

namespace Dsa.Notebooks;

/// <summary>
/// The headless front end (what papermill / nbclient do for Python): executes a notebook's code
/// cells in order in one <see cref="NotebookSession"/> and records outputs, execution counts and
/// timing into the cells. A failing cell stops the run unless it is tagged "raises-exception";
/// cells after the stop are left cleared, as nbclient leaves them, and marked in their metadata
/// (<c>dsa.status: "not run"</c>, papermill's "pending"). Cancelling the run (SIGTERM, Ctrl-C)
/// interrupts the running cell, which then carries the error, and stops the same way; the notebook
/// is written either way.
/// </summary>
public static class NotebookRunner
{
    public const string RaisesExceptionTag = "raises-exception";

    /// <summary>Reads <paramref name="inputPath"/>, runs it, writes the executed notebook atomically to <paramref name="outputPath"/> (even when a cell failed, so the error can be read there).</summary>
    public static async Task<NotebookRunResult> RunFileAsync(string inputPath, string outputPath, NotebookRunOptions options,
        IProgress<string>? progress = null, CancellationToken cancellation = default)
    {
        var notebook = NotebookJson.Read(inputPath);
        string directory = Path.GetDirectoryName(Path.GetFullPath(inputPath))!;
        var result = await RunAsync(notebook, directory, options, progress, cancellation).ConfigureAwait(false);
        NotebookJson.Write(notebook, outputPath);
        return result;
    }

    /// <summary>Runs <paramref name="notebook"/> in place; <paramref name="notebookDirectory"/> is where <c>#r "x.dll"</c> and relative paths resolve.</summary>
    public static async Task<NotebookRunResult> RunAsync(Notebook notebook, string notebookDirectory, NotebookRunOptions options,
        IProgress<string>? progress = null, CancellationToken cancellation = default)
    {
        var clock = Stopwatch.StartNew();
        if (NotebookParameters.Inject(notebook, options.Parameters) is not null)
        {
            // Like papermill's metadata.papermill.parameters: which values this output was run with.
            if (notebook.Metadata["dsa"] is not JsonObject dsa) notebook.Metadata["dsa"] = dsa = new JsonObject();
            dsa["parameters"] = new JsonObject(options.Parameters.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value))));
        }
        notebook.EnsureCellIds();
        foreach (var cell in notebook.Cells.Where(c => c.IsCode))
        {
            cell.Outputs = new JsonArray();
            cell.ExecutionCount = null;
            cell.Metadata.Remove("execution");
            if (cell.Metadata["dsa"] is JsonObject dsa)
            {
                dsa.Remove("status");
                dsa.Remove("reason");
            }
        }
        (notebook.Metadata["dsa"] as JsonObject)?.Remove("stopped");
        var session = new NotebookSession(notebookDirectory);
        var recorder = new NotebookOutputRecorder(options.StreamLimit);
        try
        {
            var result = await RunCellsAsync(notebook, session, recorder, options, clock, progress, cancellation).ConfigureAwait(false);
            if (result.FailedCellIndex is int stopped) MarkNotRun(notebook, stopped, result);
            return result;
        }
        finally
        {
            recorder.EndCell();
        }
    }

    private static async Task<NotebookRunResult> RunCellsAsync(Notebook notebook, NotebookSession session, NotebookOutputRecorder recorder,
        NotebookRunOptions options, Stopwatch clock, IProgress<string>? progress, CancellationToken cancellation)
    {
        int executed = 0;
        for (int index = 0; index < notebook.Cells.Count; index++)
        {
            var cell = notebook.Cells[index];
            // nbclient skips code cells with only whitespace: no count, no outputs.
            if (!cell.IsCode || string.IsNullOrWhiteSpace(cell.Source)) continue;
            progress?.Report($"cell {index} ({cell.Id})");
            recorder.BeginCell(cell);
            if (ForeignKernel(cell) is { } kernel)
            {
                // A Polyglot cell in another language (F#, PowerShell, SQL...): no such kernel here.
                recorder.Publish(new ErrorOutput("KernelNotSupported", $"cell {index} ({cell.Id}) is for Polyglot kernel '{kernel}'; the DSA runner executes C# only.", []));
                if (cell.HasTag(RaisesExceptionTag)) continue;
                return new NotebookRunResult(false, executed, clock.Elapsed, index, Describe(cell));
            }
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            if (options.CellTimeout is { } timeout) limit.CancelAfter(timeout);
            if (cancellation.IsCancellationRequested)
            {
                recorder.Publish(new ErrorOutput("OperationCanceledException", "The run was interrupted before this cell started.", []));
                return new NotebookRunResult(false, executed, clock.Elapsed, index, Describe(cell)) { Interrupted = true };
            }
            var execution = await session.ExecuteAsync(cell.Source, recorder, limit.Token).ConfigureAwait(false);
            recorder.EndCell();
            executed++;
            cell.ExecutionCount = execution.ExecutionCount;
            RecordTiming(cell, execution);
            bool stop = execution.Outcome == CellOutcome.Cancelled
                || (!execution.Succeeded && !cell.HasTag(RaisesExceptionTag));
            if (stop)
                return new NotebookRunResult(false, executed, clock.Elapsed, index, Describe(cell)) { Interrupted = cancellation.IsCancellationRequested };
        }
        return new NotebookRunResult(true, executed, clock.Elapsed, null, null);
    }

    /// <summary>The code cells after <paramref name="stopped"/> did not run: say so in each, and in the notebook, why.</summary>
    private static void MarkNotRun(Notebook notebook, int stopped, NotebookRunResult result)
    {
        var stoppedCell = notebook.Cells[stopped];
        string reason = result.Interrupted
            ? $"the run was interrupted at cell {stopped} ({stoppedCell.Id})"
            : $"cell {stopped} ({stoppedCell.Id}) failed: {result.Failure}";
        for (int i = stopped + 1; i < notebook.Cells.Count; i++)
        {
            var cell = notebook.Cells[i];
            if (!cell.IsCode || string.IsNullOrWhiteSpace(cell.Source)) continue;
            if (cell.Metadata["dsa"] is not JsonObject dsa) cell.Metadata["dsa"] = dsa = new JsonObject();
            dsa["status"] = "not run";
            dsa["reason"] = reason;
        }
        if (notebook.Metadata["dsa"] is not JsonObject meta) notebook.Metadata["dsa"] = meta = new JsonObject();
        meta["stopped"] = new JsonObject { ["cell"] = stopped, ["id"] = stoppedCell.Id, ["interrupted"] = result.Interrupted, ["reason"] = reason };
    }

    private static string? ForeignKernel(NotebookCell cell)
    {
        string? kernel = (string?)cell.Metadata["polyglot_notebook"]?["kernelName"] ?? (string?)cell.Metadata["dotnet_interactive"]?["language"];
        return kernel is null || kernel.Equals(NotebookTemplate.PolyglotKernel, StringComparison.OrdinalIgnoreCase) || kernel == "c#" ? null : kernel;
    }

    // Jupyter (nbclient record_timing) stores message timestamps in metadata.execution; the duration
    // in seconds goes beside it under the workbench's own key.
    private static void RecordTiming(NotebookCell cell, CellExecution execution)
    {
        cell.Metadata["execution"] = new JsonObject
        {
            ["iopub.execute_input"] = Timestamp(execution.Started),
            ["iopub.status.busy"] = Timestamp(execution.Started),
            ["iopub.status.idle"] = Timestamp(execution.Finished),
            ["shell.execute_reply"] = Timestamp(execution.Finished),
        };
        if (cell.Metadata["dsa"] is not JsonObject dsa) cell.Metadata["dsa"] = dsa = new JsonObject();
        dsa["duration_s"] = Math.Round(execution.Duration.TotalSeconds, 3);
    }

    private static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static string Describe(NotebookCell cell)
    {
        var error = cell.Outputs.OfType<JsonObject>().LastOrDefault(o => (string?)o["output_type"] == "error");
        return error is null ? "cell failed" : $"{(string?)error["ename"]}: {(string?)error["evalue"]}";
    }
}
