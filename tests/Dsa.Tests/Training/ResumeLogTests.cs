using Dsa.Nn;
using Dsa.Tests.Infrastructure;
using Dsa.Training;
using Dsa.Workflows;

namespace Dsa.Tests.Training;

/// <summary>Resume around a damaged run folder (issue 15, item 7): the log, its timestamps, stale temporaries.</summary>
public class ResumeLogTests
{
    private static readonly ModelConfig Tiny = ModelPresets.CpuSmall with { SupportOffsets = new[] { -1 }, AlignmentScales = 2 };
    private static readonly TrainConfig Quick = new() { Epochs = 2, BatchSize = 2, LearningRate = 1e-3, LogEvery = 1, ValidateEvery = 0, Seed = 5 };

    private static TrainingOutcome Train(string runDir, bool resume, long? stopAfter = null, List<TrainingEvent>? events = null)
    {
        Trainer.Seed(Quick.Seed);
        using var model = new DsaNet("dsa", Tiny);
        var run = RunFolder.Create(runDir, resume: resume);
        var config = stopAfter is { } steps ? Quick with { MaxSteps = steps } : Quick;
        return Trainer.Run(model, new FixedBatches(Tiny, batches: 3), config, run, resume: resume,
            progress: new InlineProgress<TrainingEvent>(e => events?.Add(e)));
    }

    [Fact]
    public void ATornLastLineIsSkippedWithAWarningAndTheKeptRowsKeepTheirTimestamps()
    {
        using var dir = new TempDir();
        string runDir = Path.Combine(dir.Path, "run");
        Train(runDir, resume: false, stopAfter: 4);
        string log = Path.Combine(runDir, "log.jsonl");
        var before = File.ReadAllLines(log).Where(l => l.Contains("\"kind\":\"step\"")).ToList();
        Assert.Equal(4, before.Count);
        File.AppendAllText(log, "{\"kind\":\"step\",\"epoch\":1,\"st"); // a crash mid-append

        var events = new List<TrainingEvent>();
        var outcome = Train(runDir, resume: true, events: events);
        Assert.Equal(TrainingStatus.Completed, outcome.Status);
        var warning = Assert.Single(events, e => e.Kind == TrainingEventKind.Warning);
        Assert.Contains("log.jsonl:6: the last line is incomplete", warning.Message);
        var after = File.ReadAllLines(log);
        Assert.Equal(before, after.Take(4)); // byte for byte: the first four rows' timestamps are kept
        Assert.Equal(new long[] { 1, 2, 3, 4, 5, 6 }, MetricsLog.Read(log).Where(e => e.Kind == TrainingEventKind.Step).Select(e => e.Step));
        Assert.DoesNotContain(after, l => l.EndsWith("\"st"));
        Assert.Equal(after.Length + 1, File.ReadAllLines(Path.Combine(runDir, "log.csv")).Length); // the CSV rows follow (plus its header)
    }

    [Fact]
    public void ResumingARunThatReachedItsStepLimitTrainsNothingMore()
    {
        using var dir = new TempDir();
        string runDir = Path.Combine(dir.Path, "run");
        Train(runDir, resume: false, stopAfter: 2);
        string checkpoint = RunFolder.At(runDir).LastCheckpoint;
        var bytes = File.ReadAllBytes(checkpoint);

        var outcome = Train(runDir, resume: true, stopAfter: 2);
        Assert.Equal(TrainingStatus.BudgetExhausted, outcome.Status);
        Assert.Equal(2, outcome.Steps);
        Assert.Empty(outcome.StepLosses);
        Assert.Equal(bytes, File.ReadAllBytes(checkpoint)); // the weights and optimiser state are untouched
        Assert.Equal(new long[] { 1, 2 },
            MetricsLog.Read(Path.Combine(runDir, "log.jsonl")).Where(e => e.Kind == TrainingEventKind.Step).Select(e => e.Step));
    }

    [Fact]
    public void DamageBeforeTheLastLineIsAnErrorNamingTheLine()
    {
        using var dir = new TempDir();
        string runDir = Path.Combine(dir.Path, "run");
        Train(runDir, resume: false, stopAfter: 3);
        string log = Path.Combine(runDir, "log.jsonl");
        var lines = File.ReadAllLines(log);
        lines[1] = lines[1][..10];
        File.WriteAllLines(log, lines);
        var e = Assert.Throws<InvalidDataException>(() => Train(runDir, resume: true));
        Assert.Contains($"{log}:2: not a log row", e.Message);
    }

    [Fact]
    public void StaleTemporariesOfDeadWritersAreRemovedAtStartAndLiveOnesKept()
    {
        using var dir = new TempDir();
        string runDir = Path.Combine(dir.Path, "run");
        Train(runDir, resume: false, stopAfter: 2);
        string checkpoints = Path.Combine(runDir, "checkpoints");
        // pid 99999999 is beyond Linux's pid_max: that writer is certainly gone. pid 1 (init) is always alive.
        string dead = Path.Combine(checkpoints, $".last.ckpt.99999999.{Guid.NewGuid():N}.tmp");
        string live = Path.Combine(checkpoints, $".last.ckpt.1.{Guid.NewGuid():N}.tmp");
        string unrelated = Path.Combine(checkpoints, ".notes.tmp");
        foreach (var f in new[] { dead, live, unrelated }) File.WriteAllBytes(f, new byte[1000]);

        var events = new List<TrainingEvent>();
        Train(runDir, resume: true, events: events);
        Assert.False(File.Exists(dead));
        Assert.True(File.Exists(live));
        Assert.True(File.Exists(unrelated));
        Assert.Contains(events, e => e.Kind == TrainingEventKind.Warning && e.Message!.Contains(dead));
    }
}
