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
    private sealed class Outputs : IOutputSink
    {
        public List<NotebookOutput> All { get; } = new();

        public void Publish(NotebookOutput output)
        {
            lock (All) All.Add(output);
        }

        public string Text => string.Concat(All.Select(o => o switch
        {
            StreamOutput s => s.Text,
            ExecuteResultOutput r => r.Data[DsaFormatters.PlainText],
            ErrorOutput e => $"{e.Name}: {e.Value}",
            _ => "",
        }));
    }

    private static (CellExecution Execution, Outputs Outputs) Run(NotebookSession session, string code, int cancelAfterMs = -1)
    {
        var outputs = new Outputs();
        using var cancel = new CancellationTokenSource();
        if (cancelAfterMs >= 0) cancel.CancelAfter(cancelAfterMs);
        var execution = session.ExecuteAsync(code, outputs, cancel.Token).GetAwaiter().GetResult();
        return (execution, outputs);
    }

    [Fact]
    public void InterruptedLoopStopsPromptlyAndTheSessionKeepsItsVariables()
    {
        var session = new NotebookSession(Path.GetTempPath()) { InterruptGracePeriod = TimeSpan.FromSeconds(20) };
        Run(session, "int n = 0;");
        var clock = Stopwatch.StartNew();
        var (interrupted, outputs) = Run(session, "while (true) { n++; Thread.Sleep(1); }", cancelAfterMs: 200);
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
        var (interrupted, _) = Run(session, "Spin();", cancelAfterMs: 200);
        Assert.Equal(CellOutcome.Cancelled, interrupted.Outcome);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"the loop took {clock.Elapsed} to stop");
        Assert.True(Run(session, "1 + 1").Execution.Succeeded);
    }

    [Fact]
    public void CellWithoutAnInterruptionPointIsAbandonedAndLaterCellsContinueFromTheLastState()
    {
        var session = new NotebookSession(Path.GetTempPath()) { InterruptGracePeriod = TimeSpan.FromMilliseconds(200) };
        Run(session, "int k = 5;");
        var (abandoned, outputs) = Run(session, "Thread.Sleep(1500); int j = 1;", cancelAfterMs: 100);
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
