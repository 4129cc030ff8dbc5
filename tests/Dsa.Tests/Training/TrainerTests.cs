using Dsa.IO;
using Dsa.Nn;
using Dsa.Training;
using Dsa.Workflows;

namespace Dsa.Tests.Training;

public class TrainerTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), $"dsa-train-{Guid.NewGuid():N}");

    // A narrow single-frame-plus-one-support model keeps these tests quick on 2 cores.
    private static readonly ModelConfig Tiny = ModelPresets.CpuSmall with { SupportOffsets = new[] { -1 }, AlignmentScales = 2 };

    private static readonly TrainConfig Quick = new() { Epochs = 2, BatchSize = 2, LearningRate = 1e-3, LogEvery = 1, ValidateEvery = 0, Seed = 5 };

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    private TrainingOutcome Train(string name, TrainConfig train, ITrainingData data, bool resume = false,
        CancellationToken token = default, IProgress<TrainingEvent>? progress = null)
    {
        Trainer.Seed(train.Seed);
        using var model = new DsaNet("dsa", Tiny);
        var run = RunFolder.Create(Path.Combine(root, name), resume: resume);
        return Trainer.Run(model, data, train, run, resume: resume, progress: progress, cancellation: token);
    }

    [Fact]
    public void LossFallsOverAFewSteps()
    {
        var outcome = Train("fall", Quick with { Epochs = 6 }, new FixedBatches(Tiny, batches: 2));
        Assert.Equal(TrainingStatus.Completed, outcome.Status);
        Assert.Equal(12, outcome.Steps);
        double first = outcome.StepLosses.Take(2).Average(), last = outcome.StepLosses.TakeLast(2).Average();
        Assert.True(last < 0.7 * first, $"loss did not fall: first {first}, last {last}");
    }

    [Fact]
    public void ResumedRunReproducesTheUninterruptedLossesBitForBit()
    {
        var data = new FixedBatches(Tiny, batches: 3);
        var full = Train("full", Quick, data);
        Assert.Equal(6, full.StepLosses.Count);

        // Interrupt after the 4th step (mid-epoch 1), as Ctrl-C would.
        using var cts = new CancellationTokenSource();
        var progress = new InlineProgress<TrainingEvent>(e => { if (e.Kind == TrainingEventKind.Step && e.Step == 4) cts.Cancel(); });
        var first = Train("split", Quick, data, token: cts.Token, progress: progress);
        Assert.Equal(TrainingStatus.Interrupted, first.Status);
        Assert.Equal(4, first.Steps);
        var state = Checkpoint.ReadState(Path.Combine(root, "split", "checkpoints", "last.ckpt"));
        Assert.Equal((1, 1, 4L), (state.Epoch, state.BatchInEpoch, state.GlobalStep));

        var second = Train("split", Quick, data, resume: true);
        Assert.Equal(TrainingStatus.Completed, second.Status);
        var combined = first.StepLosses.Concat(second.StepLosses).ToArray();
        Assert.Equal(full.StepLosses.ToArray(), combined); // exact equality, not approximate

        // The resumed run's log reads as one run: steps 1..6 once each.
        var steps = MetricsLog.Read(Path.Combine(root, "split", "log.jsonl")).Where(e => e.Kind == TrainingEventKind.Step).Select(e => e.Step).ToArray();
        Assert.Equal(new long[] { 1, 2, 3, 4, 5, 6 }, steps);
    }

    [Fact]
    public void ALoaderThatThrowsOnCancellationStillLeavesAResumableCheckpoint()
    {
        var data = new CancellingBatches(new FixedBatches(Tiny, batches: 3));
        using var cts = new CancellationTokenSource();
        var progress = new InlineProgress<TrainingEvent>(e => { if (e.Kind == TrainingEventKind.Step && e.Step == 2) cts.Cancel(); });
        var outcome = Train("throwing", Quick, data, token: cts.Token, progress: progress);
        Assert.Equal(TrainingStatus.Interrupted, outcome.Status);
        var state = Checkpoint.ReadState(Path.Combine(root, "throwing", "checkpoints", "last.ckpt"));
        Assert.Equal((0, 2, 2L), (state.Epoch, state.BatchInEpoch, state.GlobalStep));
        var resumed = Train("throwing", Quick, data, resume: true);
        Assert.Equal(TrainingStatus.Completed, resumed.Status);
        Assert.Equal(4, resumed.StepLosses.Count);
    }

    [Fact]
    public void NonFiniteLossStopsTheRunAndKeepsTheLastGoodCheckpoint()
    {
        var data = new FixedBatches(Tiny, batches: 2, nanAtStep: 3);
        var run = Path.Combine(root, "nan");
        Trainer.Seed(Quick.Seed);
        using var model = new DsaNet("dsa", Tiny);
        var folder = RunFolder.Create(run);
        byte[]? afterEpoch0 = null;
        var progress = new InlineProgress<TrainingEvent>(e => { if (e.Kind == TrainingEventKind.Checkpoint) afterEpoch0 ??= File.ReadAllBytes(folder.LastCheckpoint); });
        var outcome = Trainer.Run(model, data, Quick, folder, progress: progress);
        Assert.Equal(TrainingStatus.NonFiniteLoss, outcome.Status);
        Assert.Contains("step 3", outcome.Message);
        Assert.Equal(2, outcome.Steps);
        Assert.NotNull(afterEpoch0);
        Assert.Equal(afterEpoch0, File.ReadAllBytes(folder.LastCheckpoint));
        Assert.Equal(1, Checkpoint.ReadState(folder.LastCheckpoint).Epoch);
    }

    [Fact]
    public void ACrashMidWriteLeavesThePreviousCheckpointReadable()
    {
        Trainer.Seed(1);
        using var model = new DsaNet("dsa", Tiny);
        var path = Path.Combine(root, "atomic", "last.ckpt");
        var state = new TrainerState(3, 0, 30, 50.0, 2, Checkpoint.EncodeRngState(), Tiny, Quick, DateTimeOffset.UtcNow);
        Checkpoint.Save(path, model, null, state);
        var before = File.ReadAllBytes(path);

        Assert.Throws<IOException>(() => AtomicFile.Write(path, s =>
        {
            s.Write(new byte[1000]);
            throw new IOException("disk died mid-write");
        }));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(3, Checkpoint.ReadState(path).Epoch);
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!)); // no temporary left behind

        // And the weights come back exactly.
        using var again = new DsaNet("dsa", Tiny);
        Checkpoint.Restore(path, again, null);
        foreach (var ((n1, p1), (n2, p2)) in model.named_parameters().Zip(again.named_parameters()))
        {
            Assert.Equal(n1, n2);
            Assert.True(p1.equal(p2).all().item<bool>(), n1);
        }
    }

    [Fact]
    public void ARunFolderIsNotOverwrittenWithoutForce()
    {
        var dir = Path.Combine(root, "taken");
        RunFolder.Create(dir);
        File.WriteAllText(Path.Combine(dir, "config.json"), "{}");
        var e = Assert.Throws<RunFolderOccupiedException>(() => RunFolder.Create(dir));
        Assert.Contains(dir, e.Message);
        RunFolder.Create(dir, force: true);
        Assert.False(File.Exists(Path.Combine(dir, "config.json")));
        Assert.Throws<IOException>(() => RunFolder.Create(Path.Combine(root, "nothing"), resume: true));
    }

    [Fact]
    public void AlignmentPredictorsTrainAtTheirOwnLearningRateFactor()
    {
        Trainer.Seed(Quick.Seed);
        using var model = new DsaNet("dsa", Tiny);
        var before = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
        var run = RunFolder.Create(Path.Combine(root, "factor"));
        // Adam's step is about lr per parameter whatever the gradient's size: a 1e-9 factor all but freezes them.
        var outcome = Trainer.Run(model, new FixedBatches(Tiny, batches: 2), Quick with { Epochs = 1, PredictorLearningRateFactor = 1e-9 }, run);
        Assert.Equal(TrainingStatus.Completed, outcome.Status);
        var predictors = new HashSet<TorchSharp.Modules.Parameter>(model.ParameterGroups().AlignmentPredictors, ReferenceEqualityComparer.Instance);
        bool IsPredictor(string name) => predictors.Contains(model.named_parameters().First(p => p.name == name).parameter);
        double MaxChange(Func<string, bool> which) => model.named_parameters().Where(p => which(p.name))
            .Max(p => (p.parameter - before[p.name]).abs().max().item<float>());
        Assert.True(MaxChange(IsPredictor) < 1e-8, $"predictors moved by {MaxChange(IsPredictor)}");
        Assert.True(MaxChange(n => n.StartsWith("head.")) > 1e-5);
        Assert.Contains(model.named_parameters(), p => p.name.Contains(".leb.affine_predictor."));
        foreach (var t in before.Values) t.Dispose();
    }

    [Fact]
    public void StepDecayFollowsTheConfiguredGamma()
    {
        var paper = new TrainConfig();
        Assert.Equal(1e-3, paper.LearningRateAt(9), 12);
        Assert.Equal(1e-4, paper.LearningRateAt(10), 12);
        var literal = paper with { DecayGamma = 0.9 };
        Assert.Equal(0.9e-3, literal.LearningRateAt(10), 12);
        Assert.Throws<ArgumentException>(() => (paper with { DecayGamma = 0 }).Validate());
    }
}
