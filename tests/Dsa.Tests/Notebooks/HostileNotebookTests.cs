using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using Dsa.Interactive;
using Dsa.Notebooks;
using Dsa.Tests.Infrastructure;
using Xunit.Abstractions;
using static Dsa.Tests.Notebooks.NotebookTestKit;

namespace Dsa.Tests.Notebooks;

/// <summary>
/// The notebook runner against cells that never end, end the process or print without end (issue
/// 15, items 3 and 4). The runs that signal or exit are child `dsa notebooks run` processes, so a
/// regression cannot take the test host down with it.
/// </summary>
public class HostileNotebookTests(ITestOutputHelper output)
{
    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    private const int Sigterm = 15, Sigint = 2;

    /// <summary>True when this process ignores <paramref name="signal"/> (the SigIgn mask of /proc/self/status).</summary>
    private static bool IgnoredHere(int signal)
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null && (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & (1UL << (signal - 1))) != 0;
    }

    private static void Write(string path, params string[] cells)
    {
        var template = new NotebookTemplate();
        foreach (var cell in cells) template.Code(cell);
        NotebookJson.Write(template.Build(), path);
    }

    private static Process StartDsa(string workingDirectory, params string[] args) => DsaProcess.Start(workingDirectory, args);

    private static void WaitFor(string file, Process process, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (!File.Exists(file))
        {
            if (process.HasExited) Assert.Fail($"dsa exited ({process.ExitCode}) before {file} appeared: {process.StandardError.ReadToEnd()}");
            Assert.True(clock.Elapsed < limit, $"{file} did not appear within {limit}");
            Thread.Sleep(50);
        }
    }

    [SkippableTheory]
    [InlineData("while (true) { }", Sigterm)]
    [InlineData("while (true) { }", Sigint)]
    [InlineData("Thread.Sleep(Timeout.Infinite);", Sigterm)] // no loop to stop in: abandoned after the grace period
    public void ASignalDuringAnEndlessCellWritesTheNotebookWithin10Seconds(string endless, int signal)
    {
        // A shell without job control starts background jobs with SIGINT ignored, and the child inherits that (as POSIX
        // programs should, dsa keeps it): there Ctrl-C cannot reach it, which is not what this test is about.
        Skip.If(signal == Sigint && IgnoredHere(signal), "SIGINT is ignored in this process tree (started in the background " +
            "by a shell without job control: nohup ... &), so the child dsa cannot receive it");
        using var dir = new TempDir();
        string notebook = Path.Combine(dir.Path, "endless.ipynb"), later = Path.Combine(dir.Path, "later.ipynb"), outDir = Path.Combine(dir.Path, "out");
        string started = Path.Combine(dir.Path, "started");
        Write(notebook, "var before = 1;", $"File.WriteAllText(\"{started}\", \"\");\n{endless}", "var after = 2;");
        Write(later, "1 + 1");
        using var dsa = StartDsa(dir.Path, "notebooks", "run", notebook, later, "--output", outDir);
        WaitFor(started, dsa, TimeSpan.FromSeconds(120));
        Thread.Sleep(300); // well inside the endless statement
        var clock = Stopwatch.StartNew();
        Assert.Equal(0, kill(dsa.Id, signal));
        // A loop stops at its interruption point (0.1 s here), a sleep is abandoned after the 2 s grace period (2.1 s).
        bool exited = dsa.WaitForExit(TimeSpan.FromSeconds(10));
        double seconds = clock.Elapsed.TotalSeconds;
        if (!exited) dsa.Kill();
        output.WriteLine($"{endless} / signal {signal}: exited after {seconds:F1} s");
        Assert.True(exited, $"dsa did not exit within 10 s of signal {signal}");
        Assert.Equal(130, dsa.ExitCode);

        var written = NotebookJson.Read(Path.Combine(outDir, "endless.ipynb"));
        Assert.Equal(1, written.Cells[0].ExecutionCount);
        var error = Assert.Single(Outputs(written.Cells[1], "error"));
        Assert.Equal("OperationCanceledException", (string?)error["ename"]);
        Assert.Equal("not run", (string?)written.Cells[2].Metadata["dsa"]!["status"]);
        Assert.Contains("interrupted at cell 1", (string?)written.Cells[2].Metadata["dsa"]!["reason"]);
        Assert.True((bool)written.Metadata["dsa"]!["stopped"]!["interrupted"]!);
        Assert.False(File.Exists(Path.Combine(outDir, "later.ipynb"))); // not started after the signal
    }

    [Fact]
    public void EnvironmentExitInACellFailsThatNotebookAndTheOthersStillRun()
    {
        using var dir = new TempDir();
        string outDir = Path.Combine(dir.Path, "out");
        var notebooks = new[]
        {
            ("exit.ipynb", "Environment.Exit(3);", "Environment.Exit(3) was called"),
            ("static.ipynb", "using static System.Environment;\nExit(2);", "Environment.Exit(2) was called"),
            ("failfast.ipynb", "System.Environment.FailFast(\"boom\");", "Environment.FailFast(\"boom\") was called"),
        };
        foreach (var (name, cell, _) in notebooks) Write(Path.Combine(dir.Path, name), "var x = 1;", cell, "x");
        Write(Path.Combine(dir.Path, "after.ipynb"), "6 * 7");
        using var dsa = StartDsa(dir.Path, ["notebooks", "run", .. notebooks.Select(n => Path.Combine(dir.Path, n.Item1)), Path.Combine(dir.Path, "after.ipynb"), "--output", outDir]);
        Assert.True(dsa.WaitForExit(TimeSpan.FromMinutes(3)), "dsa did not finish");
        string stdout = dsa.StandardOutput.ReadToEnd();
        Assert.True(dsa.ExitCode == 1, $"exit {dsa.ExitCode}: {stdout} {dsa.StandardError.ReadToEnd()}");
        foreach (var (name, _, expected) in notebooks)
        {
            var written = NotebookJson.Read(Path.Combine(outDir, name));
            var error = Assert.Single(Outputs(written.Cells[1], "error"));
            Assert.Equal(nameof(CellExitException), (string?)error["ename"]);
            Assert.Contains(expected, (string?)error["evalue"]);
            Assert.Equal("not run", (string?)written.Cells[2].Metadata["dsa"]!["status"]);
        }
        var after = NotebookJson.Read(Path.Combine(outDir, "after.ipynb"));
        Assert.Equal("42", Text(Assert.Single(Outputs(after.Cells[0], "execute_result"))["data"]!["text/plain"]));
        Assert.Contains("ok   after.ipynb", stdout);
    }

    [Fact]
    public void AMethodNamedExitThatIsNotEnvironmentsIsLeftAlone()
    {
        var (notebook, result) = Run("static int Exit(int code) => code * 2;", "Exit(21)");
        Assert.True(result.Succeeded, result.Failure);
        Assert.Equal("42", Text(Assert.Single(Outputs(notebook.Cells[1], "execute_result"))["data"]!["text/plain"]));
    }

    [Fact]
    public void ThreeMillionLinesAreCountedAndTheStoredOutputIsCappedWithANote()
    {
        var clock = Stopwatch.StartNew();
        var (notebook, result) = Run("for (int i = 0; i < 3_000_000; i++) Console.WriteLine(i);", "Console.WriteLine(\"next\");");
        output.WriteLine($"3,000,000 lines: {clock.Elapsed.TotalSeconds:F1} s");
        Assert.True(result.Succeeded, result.Failure);
        var streams = Outputs(notebook.Cells[0], "stream").ToList();
        var lines = streams[0]["text"]!.AsArray();
        Assert.Equal(StreamOutputLimit.Default.Lines, lines.Count);
        Assert.Equal("0\n", (string?)lines[0]);
        Assert.Equal("9999\n", (string?)lines[^1]);
        string note = Text(streams[^1]["text"]);
        Assert.Contains("output truncated: 2,990,000 more lines", note);
        Assert.Equal("next\n", StreamText(notebook.Cells[1], "stdout")); // the cap is per cell
    }

    [Fact]
    public void PartialLinesAreJoinedAndMixedStreamsKeepTheirOrder()
    {
        var recorder = new NotebookOutputRecorder(new StreamOutputLimit(4, 1000));
        var cell = new NotebookCell(NotebookCell.Code, "");
        recorder.BeginCell(cell);
        foreach (var piece in new[] { "a", "b\nc", "\n" }) recorder.Publish(new StreamOutput("stdout", piece));
        recorder.Publish(new StreamOutput("stderr", "warn\n"));
        recorder.Publish(new StreamOutput("stdout", "d\ne\nf\n"));
        recorder.EndCell();
        var streams = Outputs(cell, "stream").ToList();
        Assert.Equal(new[] { "ab\n", "c\n" }, streams[0]["text"]!.AsArray().Select(l => (string?)l));
        Assert.Equal("stderr", (string?)streams[1]["name"]);
        Assert.Equal(new[] { "d\n" }, streams[2]["text"]!.AsArray().Select(l => (string?)l)); // the 4th line, every stream counted, reaches the cap
        Assert.Contains("2 more lines (4 characters)", Text(streams[3]["text"]));
    }

    [Fact]
    public void ACellOfUnknownTypeIsAnErrorNamingTheFieldNotASkip()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "odd.ipynb");
        File.WriteAllText(path, """{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "sql", "source": "select 1", "metadata": {}}]}""");
        var e = Assert.Throws<InvalidDataException>(() => NotebookJson.Read(path));
        Assert.Contains($"{path}: cells[0]: field cell_type is 'sql'", e.Message);
    }
}
