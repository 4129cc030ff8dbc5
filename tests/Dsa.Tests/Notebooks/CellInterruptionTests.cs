using System.Diagnostics;
using Dsa.Interactive;
using Dsa.Notebooks;

namespace Dsa.Tests.Notebooks;

/// <summary>
/// A live kernel must survive an interrupt: loops stop at their interruption point, a cell that
/// cannot be stopped is abandoned after the grace period, and the session keeps running cells.
/// </summary>
public sealed class CellInterruptionTests
{
    private sealed class Outputs(Action<NotebookOutput>? onPublish = null) : IOutputSink
    {
        public List<NotebookOutput> All { get; } = new();

        public void Publish(NotebookOutput output)
        {
            lock (All) All.Add(output);
            onPublish?.Invoke(output);
        }

        public string Text => string.Concat(All.Select(o => o switch
        {
            StreamOutput s => s.Text,
            ExecuteResultOutput r => r.Data[DsaFormatters.PlainText],
            ErrorOutput e => $"{e.Name}: {e.Value}",
            _ => "",
        }));
    }

    // Cells under test print "started" once their code runs (compiling can take a while on a busy
    // machine, and an interrupt during compilation is a different path); the interrupt follows that.
    private static (CellExecution Execution, Outputs Outputs) Run(NotebookSession session, string code, bool interruptOnceStarted = false)
    {
        using var cancel = new CancellationTokenSource();
        var outputs = new Outputs(output =>
        {
            if (interruptOnceStarted && output is StreamOutput { Text: "started\n" }) cancel.CancelAfter(100);
        });
        var execution = session.ExecuteAsync(code, outputs, cancel.Token).GetAwaiter().GetResult();
        return (execution, outputs);
    }

    [Fact]
    public void InterruptedLoopStopsPromptlyAndTheSessionKeepsItsVariables()
    {
        var session = new NotebookSession(Path.GetTempPath()) { InterruptGracePeriod = TimeSpan.FromSeconds(20) };
        Run(session, "int n = 0;");
        var clock = Stopwatch.StartNew();
        var (interrupted, outputs) = Run(session, "Console.WriteLine(\"started\"); while (true) { n++; Thread.Sleep(1); }", interruptOnceStarted: true);
        Assert.Equal(CellOutcome.Cancelled, interrupted.Outcome);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the loop took {clock.Elapsed} to stop");
        Assert.Contains("OperationCanceledException: The cell was interrupted", outputs.Text);
        var (after, result) = Run(session, "n > 0");
        Assert.True(after.Succeeded);
        Assert.Equal("True", result.Text);
    }

    [Fact]
    public void LoopInAMethodFromAnEarlierCellStopsWhenTheCallingCellIsInterrupted()
    {
        var session = new NotebookSession(Path.GetTempPath()) { InterruptGracePeriod = TimeSpan.FromSeconds(20) };
        Run(session, "void Spin() { for (;;) Thread.Sleep(1); }");
        var clock = Stopwatch.StartNew();
        var (interrupted, _) = Run(session, "Console.WriteLine(\"started\"); Spin();", interruptOnceStarted: true);
        Assert.Equal(CellOutcome.Cancelled, interrupted.Outcome);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the loop took {clock.Elapsed} to stop");
        Assert.True(Run(session, "1 + 1").Execution.Succeeded);
    }

    [Fact]
    public void CellWithoutAnInterruptionPointIsAbandonedAndLaterCellsContinueFromTheLastState()
    {
        var session = new NotebookSession(Path.GetTempPath()) { InterruptGracePeriod = TimeSpan.FromMilliseconds(200) };
        Run(session, "int k = 5;");
        // The sleep has no interruption point and must outlast the interrupt plus the grace period
        // even on a loaded CI machine (1.5 s did not: the cell then stopped cooperatively after it).
        var (abandoned, outputs) = Run(session, "Console.WriteLine(\"started\"); Thread.Sleep(30000); int j = 1;", interruptOnceStarted: true);
        Assert.Equal(CellOutcome.Cancelled, abandoned.Outcome);
        Assert.Contains("abandoned", outputs.Text);
        var (after, result) = Run(session, "k");
        Assert.True(after.Succeeded);
        Assert.Equal("5", result.Text);
        // The abandoned cell's declarations are not part of the state later cells see.
        Assert.Equal(CellOutcome.CompileError, Run(session, "j").Execution.Outcome);
    }

    [Fact]
    public void CompileErrorsReportTheCellsOwnColumnsDespiteTheInsertedChecks()
    {
        var session = new NotebookSession(Path.GetTempPath());
        var (execution, outputs) = Run(session, "for (int i = 0; i < 2; i++) { undefinedName++; }");
        Assert.Equal(CellOutcome.CompileError, execution.Outcome);
        var error = Assert.Single(outputs.All.OfType<ErrorOutput>());
        Assert.StartsWith("(1,31): error CS0103", error.Value);
    }

    [Fact]
    public async Task StoreHistoryFalseLeavesTheExecutionCounter()
    {
        var session = new NotebookSession(Path.GetTempPath());
        await session.ExecuteAsync("1", new Outputs());
        var quiet = await session.ExecuteAsync("2", new Outputs(), storeHistory: false);
        Assert.Equal(1, quiet.ExecutionCount);
        Assert.Equal(1, session.ExecutionCount);
    }
}
