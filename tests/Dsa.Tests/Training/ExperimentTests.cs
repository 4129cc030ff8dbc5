using System.Text.Json.Nodes;
using Dsa.Data.Formats;
using Dsa.Data.Pipeline;
using Dsa.Nn;
using Dsa.Tests.Infrastructure;
using Dsa.Training;
using Dsa.Workflows;

namespace Dsa.Tests.Training;

public class ExperimentTests : IClassFixture<TinySyntheticSet>
{
    private readonly TinySyntheticSet set;

    public ExperimentTests(TinySyntheticSet set) => this.set = set;

    [Fact]
    public void ATrainingRunLeavesCheckpointsLogsPredictionsAndTheEvalJson()
    {
        using var dir = new TempDir();
        var result = Experiment.Run(new ExperimentSpec(Path.Combine(dir.Path, "run"), TinySyntheticSet.Model, TinySyntheticSet.Train, set.Data));
        Assert.Equal(TrainingStatus.Completed, result.Outcome.Status);
        Assert.True(File.Exists(result.Run.LastCheckpoint));
        Assert.True(File.Exists(result.Run.BestCheckpoint));
        Assert.NotEmpty(File.ReadAllLines(result.Run.LogCsv).Skip(1));
        Assert.NotEmpty(Directory.GetFiles(result.Run.TensorBoardDir, "events.out.tfevents.*"));

        // dsa eval's schema, with the 15 joints and 7 columns.
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(result.Run.ResultsDir, "val_ap.json")))!;
        Assert.Equal(15, json["per_joint"]!.AsObject().Count);
        Assert.Equal(7, json["columns"]!.AsObject().Count);
        Assert.Equal(result.Validation.Total, (double)json["total"]!, 9);

        // Predictions are poseval-ready files for every validation video, with every frame present.
        var val = set.Data.Read("val");
        var predictions = Dsa.Data.Formats.PoseTrackReader.ReadFolder(result.Run.PredictionsDir);
        Assert.Equal(val.Select(v => v.Name), predictions.Select(v => v.Name));
        Assert.Equal(val.Select(v => v.Frames.Count), predictions.Select(v => v.Frames.Count));
        // And evaluating them from disk gives the number the run reported.
        var fromDisk = Dsa.Evaluation.PosetrackAp.Evaluate(val, predictions);
        Assert.Equal(result.Validation.Total, fromDisk.Total, 6);
        // The result carries the same predictions in memory, so reports need not read them back.
        Assert.Equal(predictions.Select(v => v.Name), result.Predictions.Select(v => v.Name));
        Assert.Equal(result.Validation.Total, Dsa.Evaluation.PosetrackAp.Evaluate(val, result.Predictions).Total, 9);

        // A checkpoint rebuilds the model it was trained as.
        var (model, state) = Checkpoint.LoadModel(result.Run.LastCheckpoint);
        using (model) Assert.Equal(TinySyntheticSet.Model.SupportOffsets, model.Config.SupportOffsets);
        Assert.Equal(1, state.Epoch);
    }

    [Fact]
    public void BackboneInitialisationCopiesOnlyTheBackbone()
    {
        using var dir = new TempDir();
        var single = Ablations.Get("single-frame").Apply(TinySyntheticSet.Model);
        var pre = Experiment.Run(new ExperimentSpec(Path.Combine(dir.Path, "pre"), single, TinySyntheticSet.Train with { ValidateEvery = 0 }, set.Data));
        var (source, _) = Checkpoint.LoadModel(pre.Run.LastCheckpoint);
        using var target = new DsaNet("dsa", TinySyntheticSet.Model);
        Checkpoint.RestoreBackbone(pre.Run.LastCheckpoint, target);
        var sourceBackbone = source.Backbone.state_dict();
        foreach (var (name, t) in target.Backbone.state_dict())
            Assert.True(t.equal(sourceBackbone[name]).all().item<bool>(), name);
        source.Dispose();
    }

    [Fact]
    public void AWarmStartedDsaComputesTheSingleFrameHeatmapsAtStepZero()
    {
        using var dir = new TempDir();
        var single = Ablations.Get("single-frame").Apply(TinySyntheticSet.Model);
        var pre = Experiment.Run(new ExperimentSpec(Path.Combine(dir.Path, "pre"), single, TinySyntheticSet.Train with { ValidateEvery = 0 }, set.Data));
        var (singleModel, _) = Checkpoint.LoadModel(pre.Run.LastCheckpoint);
        using var dsa = new DsaNet("dsa", TinySyntheticSet.Model with { FreezeBackbone = true });
        var copied = Checkpoint.WarmStart(pre.Run.LastCheckpoint, dsa);
        Assert.Contains("head.reduce.0.weight", copied);
        Assert.DoesNotContain(copied, n => n.StartsWith("align"));
        using (singleModel)
        using (var scope = TorchSharp.torch.NewDisposeScope())
        using (TorchSharp.torch.no_grad())
        {
            singleModel.eval();
            dsa.eval();
            var c = TinySyntheticSet.Model;
            var frames = TorchSharp.torch.randn(new long[] { 2, c.FrameCount, 3, c.InputHeight, c.InputWidth });
            var fromSingle = singleModel.forward(frames.narrow(1, 0, 1));
            var fromDsa = dsa.forward(frames);
            Assert.True(fromDsa.allclose(fromSingle, rtol: 1e-5, atol: 1e-6), $"max difference {(fromDsa - fromSingle).abs().max().item<float>()}");
            // ...yet the supporting frames are wired in: their slice of the first head conv is trainable.
            Assert.True(dsa.named_parameters().Single(p => p.name == "head.reduce.0.weight").parameter.requires_grad);

            // With a supporting share s the key slice holds (1-s) W and each supporting slice s W / (T-1), so the gradient
            // into the alignment is not gated by zero weights; frames with equal features still sum to W.
            using var shared = new DsaNet("dsa", TinySyntheticSet.Model with { FreezeBackbone = true });
            Checkpoint.WarmStart(pre.Run.LastCheckpoint, shared, supportShare: 0.4);
            var w = singleModel.state_dict()["head.reduce.0.weight"];
            var split = shared.state_dict()["head.reduce.0.weight"];
            long ch = w.shape[1], t = split.shape[1] / ch;
            Assert.Equal(c.FrameCount, t);
            Assert.True(split.narrow(1, 0, ch).allclose(w * 0.6, rtol: 1e-6, atol: 1e-7));
            for (long f = 1; f < t; f++) Assert.True(split.narrow(1, f * ch, ch).allclose(w * (0.4 / (t - 1)), rtol: 1e-6, atol: 1e-7), $"slice {f}");
            var sum = Enumerable.Range(0, (int)t).Select(f => split.narrow(1, f * ch, ch)).Aggregate((a, b) => a + b);
            Assert.True(sum.allclose(w, rtol: 1e-5, atol: 1e-6));
            Assert.Throws<ArgumentOutOfRangeException>(() => Checkpoint.WarmStart(pre.Run.LastCheckpoint, shared, supportShare: 1.0));
        }
    }

    [Fact]
    public void AblationGridSummarisesSeedsAndReusesFinishedCells()
    {
        using var dir = new TempDir();
        var rows = Ablations.Parse("complete,single-frame");
        var train = TinySyntheticSet.Train with { ValidateEvery = 0 };
        var cells = AblationRunner.Run(new AblationGridSpec(rows, new[] { 1, 2 }, TinySyntheticSet.Model, train, set.Data, dir.Path));
        Assert.Equal(4, cells.Count);
        Assert.All(cells, c => Assert.True(c.Seconds > 0, $"{c.Row} seed {c.Seed}: trained here, so its time is known"));
        var summary = AblationRunner.Summarise(cells, rows);
        Assert.Equal(new[] { "complete", "single-frame" }, summary.Select(s => s.Row));
        foreach (var s in summary)
        {
            var maps = cells.Where(c => c.Row == s.Row).Select(c => c.Map).ToArray();
            Assert.Equal(maps.Average(), s.Mean["mAP"], 9);
            Assert.Equal(Math.Sqrt(maps.Sum(m => (m - maps.Average()) * (m - maps.Average())) / (maps.Length - 1)), s.Std["mAP"], 9);
        }
        AblationRunner.Save(dir.Path, cells, summary);
        var csv = File.ReadAllLines(Path.Combine(dir.Path, "ablation.csv"));
        Assert.Equal(3, csv.Length);
        Assert.StartsWith("row,paper_row,paper_map,seeds,Head,Head_std", csv[0]);
        var frame = AblationRunner.ToDataFrame(summary);
        Assert.Equal(2, frame.Rows.Count);

        // Finished cells are read back, not retrained: their checkpoints stay untouched.
        var checkpoint = Path.Combine(dir.Path, "complete", "seed1", "checkpoints", "last.ckpt");
        var stamp = File.GetLastWriteTimeUtc(checkpoint);
        var again = AblationRunner.Run(new AblationGridSpec(rows, new[] { 1, 2 }, TinySyntheticSet.Model, train, set.Data, dir.Path));
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(checkpoint));
        Assert.Equal(cells.Select(c => Math.Round(c.Map, 9)), again.Select(c => Math.Round(c.Map, 9)));
        Assert.All(again, c => Assert.Equal(0, c.Seconds)); // read back: not timed in this process
    }

    [Fact]
    public void CancellingARealDataLoaderRunCheckpointsAndResumes()
    {
        using var dir = new TempDir();
        var model = TinySyntheticSet.Model;
        var train = TinySyntheticSet.Train with { BatchSize = 2, ValidateEvery = 0, MaxSteps = 3 };
        var dataset = Experiment.Dataset(set.Data.Read("train"), set.Data, model);
        TrainingOutcome Attempt(RunFolder run, bool resume, IProgress<TrainingEvent>? progress, CancellationToken cancel)
        {
            Trainer.Seed(train.Seed);
            using var net = new DsaNet("dsa", model);
            using var loader = new Dsa.Data.Pipeline.DataLoader(dataset, Experiment.Pipeline(model), new Dsa.Data.Pipeline.DataLoaderOptions { BatchSize = 2, DropLast = true, Seed = 1 });
            return Trainer.Run(net, new PoseTrackTrainingData(loader), train, run, resume: resume, progress: progress, cancellation: cancel);
        }
        using var stop = new CancellationTokenSource();
        var runDir = Path.Combine(dir.Path, "run");
        var first = Attempt(RunFolder.Create(runDir), false, new InlineProgress<TrainingEvent>(e => { if (e.Kind == TrainingEventKind.Step) stop.Cancel(); }), stop.Token);
        Assert.Equal(TrainingStatus.Interrupted, first.Status);
        Assert.Equal(1, Checkpoint.ReadState(Path.Combine(runDir, "checkpoints", "last.ckpt")).GlobalStep);
        var second = Attempt(RunFolder.Create(runDir, resume: true), true, null, CancellationToken.None);
        Assert.Equal(3, second.Steps);
    }

    [Fact]
    public void AblationGridStartsEveryCellFromTheGivenBackbone()
    {
        using var dir = new TempDir();
        var train = TinySyntheticSet.Train with { ValidateEvery = 0, MaxSteps = 1 };
        var single = Ablations.Get("single-frame").Apply(TinySyntheticSet.Model);
        var pre = Experiment.Run(new ExperimentSpec(Path.Combine(dir.Path, "pre"), single, train, set.Data));
        var rows = Ablations.Parse("complete,single-frame");
        var cells = AblationRunner.Run(new AblationGridSpec(rows, new[] { 5 }, TinySyntheticSet.Model with { FreezeBackbone = true }, train, set.Data,
            Path.Combine(dir.Path, "grid")) { Options = new() { InitBackboneFrom = pre.Run.LastCheckpoint } });
        Assert.Equal(2, cells.Count);
        var (source, _) = Checkpoint.LoadModel(pre.Run.LastCheckpoint);
        using (source)
        {
            var expected = source.Backbone.state_dict();
            foreach (var cell in cells)
            {
                // Frozen: the trained cell's backbone is still exactly the pretrained one.
                var (trained, _) = Checkpoint.LoadModel(Path.Combine(cell.RunDir, "checkpoints", "last.ckpt"));
                using (trained)
                    foreach (var (name, t) in trained.Backbone.state_dict())
                        Assert.True(t.equal(expected[name]).all().item<bool>(), $"{cell.Row}: {name}");
            }
        }
        Assert.Throws<FileNotFoundException>(() => AblationRunner.Run(new AblationGridSpec(rows, new[] { 5 }, TinySyntheticSet.Model, train, set.Data,
            Path.Combine(dir.Path, "grid2")) { Options = new() { InitBackboneFrom = Path.Combine(dir.Path, "missing.ckpt") } }));
    }

    [Fact]
    public void AblationGridWarmStartsEveryRowFromTheSingleFrameModel()
    {
        using var dir = new TempDir();
        var train = TinySyntheticSet.Train with { ValidateEvery = 0, MaxSteps = 1 };
        var single = Ablations.Get("single-frame").Apply(TinySyntheticSet.Model);
        var pre = Experiment.Run(new ExperimentSpec(Path.Combine(dir.Path, "pre"), single, train, set.Data));
        // A learning rate far below float resolution: the weights keep what the warm start gave them (zeros become ~1e-30).
        var cells = AblationRunner.Run(new AblationGridSpec(Ablations.Parse("complete,single-frame"), new[] { 3 }, TinySyntheticSet.Model with { FreezeBackbone = true },
            train with { LearningRate = 1e-30 }, set.Data, Path.Combine(dir.Path, "grid")) { Options = new() { WarmStartFrom = pre.Run.LastCheckpoint } });
        var (source, _) = Checkpoint.LoadModel(pre.Run.LastCheckpoint);
        using (source)
        {
            var expected = source.state_dict()["head.reduce.0.weight"]; // [C, C, 1, 1]
            foreach (var cell in cells)
            {
                var (trained, _) = Checkpoint.LoadModel(Path.Combine(cell.RunDir, "checkpoints", "last.ckpt"));
                using (trained)
                {
                    var reduce = trained.state_dict()["head.reduce.0.weight"]; // [C, T*C, 1, 1]
                    Assert.True(reduce.narrow(1, 0, expected.shape[1]).equal(expected).all().item<bool>(), $"{cell.Row}: key-frame slice of the head");
                    var rest = reduce.shape[1] - expected.shape[1];
                    if (rest > 0) Assert.True(reduce.narrow(1, expected.shape[1], rest).abs().max().item<float>() < 1e-20f, $"{cell.Row}: supporting-frame slices start at zero");
                }
            }
        }
        Assert.Throws<ArgumentException>(() => AblationRunner.Run(new AblationGridSpec(Ablations.Parse("complete"), new[] { 3 }, TinySyntheticSet.Model, train, set.Data,
            Path.Combine(dir.Path, "grid2")) { Options = new() { InitBackboneFrom = pre.Run.LastCheckpoint, WarmStartFrom = pre.Run.LastCheckpoint } }));
    }

    [Fact]
    public void DemoRunsTheThreeStagesAndWritesASelfContainedReport()
    {
        using var dir = new TempDir();
        var options = new DemoOptions
        {
            DataRoot = set.Root, RunRoot = Path.Combine(dir.Path, "demo"), Minutes = 0.05, Model = TinySyntheticSet.Model,
            Train = TinySyntheticSet.Train with { Epochs = 2, ValidateEvery = 0 },
        };
        var result = Demo.Run(options with { GroundTruthFlow = false });
        Assert.Null(result.GroundTruthFlow);
        var reportPath = Dsa.Reports.DemoReport.Write(options, set.Data, result);
        Assert.Equal(result.Dsa.Outcome.Steps, result.Baseline.Outcome.Steps);
        Assert.True(result.Dsa.Model.FreezeBackbone && result.Baseline.Model.FreezeBackbone);
        var html = File.ReadAllText(reportPath);
        Assert.Contains("Per-joint AP", html);
        Assert.Contains("data:image/png;base64,", html);
        Assert.Contains("Plotly.newPlot", html);
        Assert.DoesNotContain("src=\"http", html);
        Assert.Contains("GAB offset field", html);
        // The tiny set is synthetic, so it has meta files and the blur / occlusion breakdown.
        Assert.Contains("Where the frames are hard", html);
        Assert.Contains("<td>occluded</td><td>PCKh</td>", html);

        // From given single-frame weights (what the shipped model is): no stage 1, fixed steps, and results.json.
        var weightsOptions = options with { RunRoot = Path.Combine(dir.Path, "from-weights"), StartFrom = result.Pretrain!.Run.LastCheckpoint, AlignSteps = 3 };
        var fromWeights = Demo.Run(weightsOptions);
        Assert.Null(fromWeights.Pretrain);
        Assert.Equal(3, fromWeights.Dsa.Outcome.Steps);
        Assert.Equal(3, fromWeights.Baseline.Outcome.Steps);
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(fromWeights.ResultsPath))!;
        Assert.Equal(Path.Combine(dir.Path, "from-weights", DemoResultsFile.FileName), fromWeights.ResultsPath);
        Assert.Equal(3, fromWeights.GroundTruthFlow!.Outcome.Steps);
        Assert.True(fromWeights.GroundTruthFlow.Model.NeedsAnnotatedMotion);
        foreach (var (key, run) in new[] { ("dsa", fromWeights.Dsa), ("baseline", fromWeights.Baseline), ("ground_truth_flow", fromWeights.GroundTruthFlow) })
        {
            Assert.Equal(Math.Round(run.Validation.Total, 4), (double)json[key]!["mAP"]!, 9);
            Assert.Equal(15, json[key]!["per_joint"]!.AsObject().Count);
            Assert.Equal(3, (long)json[key]!["steps"]!);
            Assert.Equal(new[] { "sharp", "blurred", "visible", "occluded" }, json[key]!["breakdown"]!.AsArray().Select(b => (string)b!["subset"]!));
        }
        Assert.NotNull(json["dsa"]!["offsets"]);
        Assert.Null(json["baseline"]!["offsets"]);
        Assert.Equal(new long[] { 1 }, json["motion"]!["by_distance"]!.AsArray().Select(d => (long)d!["distance"]!)); // the tiny model's offsets are -1, 1
        Assert.True((double)json["motion"]!["by_distance"]![0]!["median_px"]! > 0);
        var weightsReport = Dsa.Reports.DemoReport.Write(weightsOptions, set.Data, fromWeights);
        Assert.Contains("start from the single-frame weights", File.ReadAllText(weightsReport));
    }
}
