using System.Text.Json.Nodes;
using Dsa.Notebooks;
using static Dsa.Tests.Notebooks.ExecutedNotebookFixture;
using static Dsa.Tests.Notebooks.NotebookTestKit;

namespace Dsa.Tests.Notebooks;

public sealed class NotebookRunnerTests(ExecutedNotebookFixture run) : IClassFixture<ExecutedNotebookFixture>
{
    [Fact]
    public void RunSucceedsDespiteTheRaisesExceptionCell()
    {
        Assert.True(run.Result.Succeeded, run.Result.Failure);
        Assert.Equal(14, run.Result.CellsExecuted);
    }

    [Fact]
    public void ConsoleOutputBecomesStdoutAndStderrStreams()
    {
        Assert.Equal("epochs=5 lr=0.01 verbose=True label=run 1\n", StreamText(run[Streams], "stdout"));
        Assert.Equal("careful\n", StreamText(run[Streams], "stderr"));
    }

    [Fact]
    public void ConsoleOutputFromAPoolThreadStaysInItsCell()
    {
        Assert.Equal("from the pool\n", StreamText(run[PoolThread], "stdout"));
    }

    [Fact]
    public void UpdatedDisplayIsRewrittenInPlace()
    {
        var display = Assert.Single(run[Update].Outputs);
        Assert.Equal("display_data", (string?)display!["output_type"]);
        Assert.Equal("second", Text(display["data"]!["text/plain"]));
    }

    [Fact]
    public void BitmapDisplaysAsPngWithTextFallback()
    {
        var data = Assert.Single(Outputs(run[Png], "display_data"))["data"]!;
        byte[] png = Convert.FromBase64String((string)data["image/png"]!);
        using var decoded = SkiaSharp.SKBitmap.Decode(png);
        Assert.Equal((4, 3), (decoded.Width, decoded.Height));
        Assert.Equal(SkiaSharp.SKColors.Red, decoded.GetPixel(2, 1));
        Assert.Contains("4x3", Text(data["text/plain"]));
    }

    [Fact]
    public void HtmlDisplayKeepsMarkup()
    {
        var data = Assert.Single(Outputs(run[Html], "display_data"))["data"]!;
        Assert.Equal("<b>bold</b>", Text(data["text/html"]));
    }

    [Fact]
    public void TrailingExpressionIsAnExecuteResultAndStatePersists()
    {
        Assert.Empty(run[Declare].Outputs);
        var result = Assert.Single(Outputs(run[Persist], "execute_result"));
        Assert.Equal("42", Text(result["data"]!["text/plain"]));
        Assert.Equal(run[Persist].ExecutionCount, (int?)result["execution_count"]);
    }

    [Fact]
    public void RaisesExceptionCellRecordsTheErrorAndTheRunContinues()
    {
        var error = Assert.Single(Outputs(run[Raises], "error"));
        Assert.Equal("InvalidOperationException", (string?)error["ename"]);
        Assert.Equal("expected failure", (string?)error["evalue"]);
        Assert.Equal("41", Text(Assert.Single(Outputs(run[AfterRaise], "execute_result"))["data"]!["text/plain"]));
    }

    [Fact]
    public void ExecutionCountsNumberExecutedCodeCellsOnly()
    {
        var counts = run.Notebook.Cells.Where(c => c.IsCode).Select(c => c.ExecutionCount).ToArray();
        int?[] expected = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, null, 11, 12, 13, 14];
        Assert.Equal(expected, counts);
    }

    [Fact]
    public void TimeMagicPrintsWallTime()
    {
        Assert.StartsWith("Wall time: ", StreamText(run[Time], "stdout"));
    }

    [Fact]
    public void ClearOutputDropsEarlierOutputs()
    {
        Assert.Equal("kept\n", StreamText(run[Clear], "stdout"));
        Assert.Single(run[Clear].Outputs);
    }

    [Fact]
    public void DataFrameResultIsAnHtmlTable()
    {
        var data = Assert.Single(Outputs(run[Frame], "execute_result"))["data"]!;
        string html = Text(data["text/html"]);
        Assert.Contains("<th>loss</th>", html);
        Assert.Contains("<td>0.3</td>", html); // 0.26 with one decimal
        Assert.Contains("loss", Text(data["text/plain"]));
    }

    [Fact]
    public void InjectedParametersFollowTheParametersCellTypedByValue()
    {
        var injected = run[Injected];
        Assert.True(run[Parameters].HasTag(NotebookParameters.ParametersTag));
        Assert.Equal([NotebookParameters.InjectedTag], injected.Tags);
        Assert.Contains("epochs = 5;", injected.Source);
        Assert.Contains("lr = 0.01;", injected.Source);
        Assert.Contains("verbose = true;", injected.Source);
        Assert.Contains("label = \"run 1\";", injected.Source);
        Assert.Equal(1, run.Notebook.Cells.Count(c => c.HasTag(NotebookParameters.InjectedTag)));
        Assert.Equal("run 1", (string?)run.Notebook.Metadata["dsa"]!["parameters"]!["label"]);
    }

    [Fact]
    public void EveryCellHasAnIdAndExecutedCellsHaveTiming()
    {
        Assert.All(run.Notebook.Cells, c => Assert.Matches("^[a-zA-Z0-9-_]{1,64}$", c.Id));
        Assert.Equal(run.Notebook.Cells.Count, run.Notebook.Cells.Select(c => c.Id).Distinct().Count());
        var timed = run[Persist].Metadata;
        Assert.NotNull(timed["execution"]!["iopub.execute_input"]);
        Assert.NotNull(timed["execution"]!["shell.execute_reply"]);
        Assert.True((double)timed["dsa"]!["duration_s"]! >= 0);
        Assert.Null(run[Empty].Metadata["execution"]);
    }

    [Fact]
    public void ErrorStopsTheRunAndRecordsTheException()
    {
        var (notebook, result) = Run("var a = 1;", "throw new ArgumentException(\"bad value\");", "a");
        Assert.False(result.Succeeded);
        Assert.Equal(1, result.FailedCellIndex);
        Assert.Equal("ArgumentException: bad value", result.Failure);
        var error = Assert.Single(Outputs(notebook.Cells[1], "error"));
        Assert.Equal("ArgumentException", (string?)error["ename"]);
        Assert.Equal("bad value", (string?)error["evalue"]);
        var traceback = error["traceback"]!.AsArray().Select(t => (string)t!).ToList();
        Assert.Contains(traceback, line => line.Contains("System.ArgumentException: bad value"));
        Assert.Null(notebook.Cells[2].ExecutionCount);
        Assert.Empty(notebook.Cells[2].Outputs);
    }

    [Fact]
    public void CompileErrorStopsTheRunWithTheDiagnostic()
    {
        var (notebook, result) = Run("undefinedName + 1", "1");
        Assert.False(result.Succeeded);
        var error = Assert.Single(Outputs(notebook.Cells[0], "error"));
        Assert.Equal("CompilationError", (string?)error["ename"]);
        Assert.Contains("CS0103", (string?)error["evalue"]);
        Assert.Null(notebook.Cells[1].ExecutionCount);
    }

    [Fact]
    public void BundledNugetReferenceIsAcceptedAndOthersRefused()
    {
        var (accepted, ok) = Run("#r \"nuget: TorchSharp, 0.105.0\"\n#r \"nuget: Plotly.NET\"\ntorch.ones(2).shape[0]");
        Assert.True(ok.Succeeded, ok.Failure);
        Assert.Equal("2", Text(Assert.Single(Outputs(accepted.Cells[0], "execute_result"))["data"]!["text/plain"]));

        var (refused, failed) = Run("#r \"nuget: Newtonsoft.Json, 13.0.3\"\n1");
        Assert.False(failed.Succeeded);
        var error = Assert.Single(Outputs(refused.Cells[0], "error"));
        Assert.Contains("package Newtonsoft.Json is not bundled with the runner; add it to src/Dsa.Notebooks", (string?)error["evalue"]);
    }

    [Fact]
    public void UnknownMagicIsAnError()
    {
        var (notebook, result) = Run("#!fsharp\nlet x = 1");
        Assert.False(result.Succeeded);
        Assert.Contains("#!fsharp", (string?)Assert.Single(Outputs(notebook.Cells[0], "error"))["evalue"]);
    }

    [Fact]
    public void CellOverTheTimeoutFailsTheNotebook()
    {
        // The cell honours its CancellationToken, so nothing keeps running after the test.
        var notebook = new NotebookTemplate()
            .Code("while (!CancellationToken.IsCancellationRequested) Thread.Sleep(5);")
            .Code("1")
            .Build();
        var (_, result) = Run(notebook, new NotebookRunOptions([], TimeSpan.FromMilliseconds(300)));
        Assert.False(result.Succeeded);
        Assert.Equal(0, result.FailedCellIndex);
        Assert.StartsWith("OperationCanceledException", result.Failure);
        Assert.Null(notebook.Cells[1].ExecutionCount);
    }

    [Fact]
    public void PathReferenceResolvesAgainstTheNotebookFolder()
    {
        string folder = Directory.CreateTempSubdirectory("dsa-nb-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(folder, "lib"));
            File.Copy(typeof(Dsa.Data.Skeleton).Assembly.Location, Path.Combine(folder, "lib", "Dsa.dll"));
            var notebook = new NotebookTemplate().Code("#r \"lib/Dsa.dll\"\nDsa.Data.Skeleton.PoseTrack.Count").Build();
            var (_, result) = Run(notebook, directory: folder);
            Assert.True(result.Succeeded, result.Failure);

            var missing = new NotebookTemplate().Code("#r \"lib/Absent.dll\"\n1").Build();
            var (_, failed) = Run(missing, directory: folder);
            Assert.False(failed.Succeeded);
            Assert.Contains("Absent.dll", failed.Failure);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void DefaultImportsCoverTheBundledLibraries()
    {
        // Chart is Plotly.NET.CSharp's (imported), zeros is torch's (using static), DataFrame and SKColors need no using.
        var (notebook, result) = Run(
            "var chart = Chart.Line<int, int, string>(x: new[] { 1, 2 }, y: new[] { 3, 4 });\n"
            + "var t = zeros(2, 2); t.Dispose();\n"
            + "var frame = new DataFrame(new PrimitiveDataFrameColumn<float>(\"x\", 1));\n"
            + "var red = SKColors.Red;\n"
            + "chart");
        Assert.True(result.Succeeded, result.Failure);
        var data = Assert.Single(Outputs(notebook.Cells[0], "execute_result"))["data"]!;
        Assert.Contains("Plotly.newPlot", Text(data["text/html"]));
        Assert.NotNull(data["image/png"]);
    }

    [Fact]
    public void UpdateFromALaterCellRewritesTheEarlierDisplay()
    {
        var (notebook, result) = Run("var shown = display(1);", "shown.Update(2);");
        Assert.True(result.Succeeded, result.Failure);
        Assert.Equal("2", Text(Assert.Single(Outputs(notebook.Cells[0], "display_data"))["data"]!["text/plain"]));
        Assert.Empty(notebook.Cells[1].Outputs);
    }

    [Fact]
    public void PolyglotCellForAnotherKernelIsRefused()
    {
        var notebook = new NotebookTemplate().Code("let x = 1").Build();
        notebook.Cells[0].Metadata["polyglot_notebook"]!["kernelName"] = "fsharp";
        var (_, result) = Run(notebook);
        Assert.False(result.Succeeded);
        Assert.StartsWith("KernelNotSupported", result.Failure);
        Assert.Contains("fsharp", result.Failure);
    }
}
