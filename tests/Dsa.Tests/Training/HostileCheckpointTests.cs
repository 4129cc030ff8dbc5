using System.Text;
using System.Text.Json.Nodes;
using Dsa.Nn;
using Dsa.Tests.Evaluation;
using Dsa.Tests.IO;
using Dsa.Tests.Infrastructure;
using Dsa.Training;
using Dsa.Workflows;
using TorchSharp;

namespace Dsa.Tests.Training;

/// <summary>
/// Crafted checkpoints (issue 15, item 5): a real checkpoint of an untrained tiny model with one
/// entry replaced. `dsa eval --checkpoint` and `--resume` must end in one message naming the file,
/// the entry and the field, with exit code 1; never a stack trace or a native abort.
/// </summary>
[Collection(nameof(ConsoleCollection))]
public class HostileCheckpointTests : IClassFixture<TinySyntheticSet>, IDisposable
{
    private const string ModelEntry = "model.safetensors", StateEntry = "trainer_state.json", OptimizerEntry = "optimizer.bin";
    private static readonly ModelConfig Model = TinySyntheticSet.Model;
    private static readonly TrainConfig Train = new() { Epochs = 2, BatchSize = 2, LogEvery = 1, ValidateEvery = 0, Seed = 5 };
    private readonly TinySyntheticSet set;
    private readonly TempDir dir = new();

    public HostileCheckpointTests(TinySyntheticSet set) => this.set = set;

    public void Dispose() => dir.Dispose();

    /// <summary>A valid checkpoint with an optimizer (what --resume reads): one training step, in its own run folder.</summary>
    private RunFolder SavedRun(string name)
    {
        var run = RunFolder.Create(Path.Combine(dir.Path, name));
        Trainer.Seed(1);
        using var model = new DsaNet("dsa", Model);
        Trainer.Run(model, new FixedBatches(Model, batches: 3), Train with { MaxSteps = 1 }, run);
        return run;
    }

    private static void EditState(string checkpoint, Action<JsonObject> edit)
    {
        var state = JsonNode.Parse(CraftedSafetensors.ReadEntry(checkpoint, StateEntry))!.AsObject();
        edit(state);
        CraftedSafetensors.ReplaceEntry(checkpoint, StateEntry, Encoding.UTF8.GetBytes(state.ToJsonString()));
    }

    /// <summary>The model entry with one tensor's header entry replaced; the data section is kept.</summary>
    private static void EditModelHeader(string checkpoint, Action<JsonObject> edit)
    {
        var bytes = CraftedSafetensors.ReadEntry(checkpoint, ModelEntry);
        int n = (int)BitConverter.ToUInt64(bytes);
        var header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, n))!.AsObject();
        edit(header);
        CraftedSafetensors.ReplaceEntry(checkpoint, ModelEntry, CraftedSafetensors.Bytes(header.ToJsonString(), bytes[(8 + n)..]));
    }

    private (int Exit, string Error) Eval(string checkpoint) => DsaCli.Run("eval", "--checkpoint", checkpoint, "--data", set.Root);

    private static void AssertOneMessage((int Exit, string Error) result, params string[] expected)
    {
        Assert.True(result.Exit == 1, $"exit {result.Exit}: {result.Error}");
        foreach (var e in expected) Assert.Contains(e, result.Error);
        Assert.DoesNotContain("   at ", result.Error); // no stack trace without --verbose
    }

    [Fact]
    public void EvalOfTheUnmodifiedCheckpointWorks()
    {
        var (exit, error) = Eval(SavedRun("plain").LastCheckpoint);
        Assert.True(exit == 0, $"exit {exit}: {error}");
    }

    [Theory]
    [InlineData("[-1, 3, 3, 3]", "field 'shape'[0] is -1 (negative)")]
    [InlineData("[9223372036854775807, 9223372036854775807]", "has more than")]
    [InlineData("[32, null, 3, 3]", "field 'shape'[1] is null")]
    public void EvalRefusesAModelEntryWithABadShape(string shape, string expected)
    {
        string ckpt = SavedRun("shape").LastCheckpoint;
        EditModelHeader(ckpt, h => h["backbone.conv1.weight"]!["shape"] = JsonNode.Parse(shape));
        AssertOneMessage(Eval(ckpt), ckpt, ModelEntry, "tensor 'backbone.conv1.weight'", expected);
    }

    [Fact]
    public void EvalRefusesACheckpointWithoutItsModelEntry()
    {
        string ckpt = SavedRun("nomodel").LastCheckpoint;
        CraftedSafetensors.ReplaceEntry(ckpt, ModelEntry, null);
        AssertOneMessage(Eval(ckpt), ckpt, $"has no '{ModelEntry}'");
    }

    [Fact]
    public void EvalRefusesAConfigTooLargeForTheWeightsBeforeBuildingIt()
    {
        string ckpt = SavedRun("absurd").LastCheckpoint;
        // Branch widths of 200,000 channels: a 1.4 TB network, which the checkpoint's weights cannot hold.
        EditState(ckpt, s =>
        {
            foreach (var stage in new[] { "Stage2", "Stage3", "Stage4" })
            {
                var channels = s["Model"]!["Backbone"]![stage]!["NumChannels"]!.AsArray();
                for (int i = 0; i < channels.Count; i++) channels[i] = 200_000 << i;
            }
        });
        var (exit, error) = Eval(ckpt);
        AssertOneMessage((exit, error), ckpt, StateEntry, "field 'Model' describes a network of at least");
    }

    [Fact]
    public void EvalBlamesNaNWeightsOnTheCheckpointNotOnAPredictionFile()
    {
        var run = RunFolder.Create(Path.Combine(dir.Path, "nan"));
        using (var model = new DsaNet("dsa", Model))
        {
            using (torch.no_grad()) model.state_dict()["head.final_layer.weight"].fill_(double.NaN);
            Checkpoint.Save(run.LastCheckpoint, model, null, new TrainerState(1, 0, 2, null, null, Checkpoint.EncodeRngState(), Model, Train, DateTimeOffset.UtcNow));
        }
        AssertOneMessage(Eval(run.LastCheckpoint), run.LastCheckpoint, ModelEntry, "tensor 'head.final_layer.weight' holds NaN");
    }

    private (int Exit, string Error) Resume(RunFolder run) =>
        DsaCli.Run("train", "--run", run.Root, "--resume", "--data", set.Root, "--preset", "cpu-small", "--epochs", "2", "--batch-size", "2", "--validate-every", "0", "--threads", "1");

    [Fact]
    public void ResumeRefusesAnOptimizerStateWithABadCount()
    {
        var run = SavedRun("optimizer");
        var bytes = CraftedSafetensors.ReadEntry(run.LastCheckpoint, OptimizerEntry);
        BitConverter.GetBytes(1_000_000_000L).CopyTo(bytes, 0);
        CraftedSafetensors.ReplaceEntry(run.LastCheckpoint, OptimizerEntry, bytes);
        var ex = Assert.Throws<InvalidDataException>(() => RestoreWithOptimizer(run));
        Assert.Contains($"{run.LastCheckpoint}!{OptimizerEntry}", ex.Message);
    }

    private static void RestoreWithOptimizer(RunFolder run)
    {
        using var model = new DsaNet("dsa", Model);
        using var optimizer = new TorchSharp.Modules.Adam(model.parameters(), lr: 1e-3);
        Checkpoint.Restore(run.LastCheckpoint, model, optimizer);
    }

    [Theory]
    [InlineData("not base64 at all!", "is not base64")]
    [InlineData("AAAA", "has 3 bytes")]
    public void ResumeRefusesABadRngStateBeforeLibtorchSeesIt(string rng, string expected)
    {
        var run = SavedRun("rng");
        EditState(run.LastCheckpoint, s => s["TorchRngState"] = rng);
        var ex = Assert.Throws<InvalidDataException>(() => TrainFromResume(run));
        Assert.Contains("field 'TorchRngState'", ex.Message);
        Assert.Contains(expected, ex.Message);
        Assert.Contains(run.LastCheckpoint, ex.Message);
    }

    [Theory]
    [InlineData("Epoch", -5, "field 'Epoch' is -5")]
    [InlineData("Epoch", 7, "field 'Epoch' is 7, beyond the 2 epochs")]
    [InlineData("BatchInEpoch", -1, "field 'BatchInEpoch' is -1")]
    [InlineData("BatchInEpoch", 99, "field 'BatchInEpoch' is 99, but an epoch has 3 batches")]
    [InlineData("GlobalStep", -3, "field 'GlobalStep' is -3")]
    [InlineData("BestEpoch", 4, "field 'BestEpoch' is 4")]
    public void ResumeRefusesAPositionOutsideTheRun(string field, int value, string expected)
    {
        var run = SavedRun("position");
        // GlobalStep at least BatchInEpoch is checked too; a large one keeps that check out of the way.
        EditState(run.LastCheckpoint, s => { s["GlobalStep"] = 1000; s[field] = value; });
        var ex = Assert.Throws<InvalidDataException>(() => TrainFromResume(run));
        Assert.Contains(run.LastCheckpoint, ex.Message);
        Assert.Contains(expected, ex.Message);
    }

    private static void TrainFromResume(RunFolder saved)
    {
        var run = RunFolder.Create(saved.Root, resume: true);
        using var model = new DsaNet("dsa", Model);
        Trainer.Run(model, new FixedBatches(Model, batches: 3), Train, run, resume: true);
    }

    [Fact]
    public void TheCliResumeTurnsTheRefusalIntoOneMessage()
    {
        var run = SavedRun("cli");
        EditState(run.LastCheckpoint, s => s["Epoch"] = -5);
        AssertOneMessage(Resume(run), run.LastCheckpoint, StateEntry, "field 'Epoch' is -5");
    }
}
