using System.Text.Json.Nodes;
using Dsa.Tests.Evaluation;
using Dsa.Tests.Infrastructure;
using Dsa.Training;

namespace Dsa.Tests.Training;

/// <summary>`dsa train --steps` and `dsa ablate --warm-start`, in-process through the CLI's entry point, on the tiny set.</summary>
[Collection(nameof(ConsoleCollection))]
public class AblateCommandTests : IClassFixture<TinySyntheticSet>
{
    private readonly TinySyntheticSet set;

    public AblateCommandTests(TinySyntheticSet set) => this.set = set;

    [Fact]
    public void TrainStopsAtStepsAndAblateWarmStartsEveryRowFromIt()
    {
        using var dir = new TempDir();
        string run = Path.Combine(dir.Path, "single"), grid = Path.Combine(dir.Path, "grid");
        var (exit, error) = DsaCli.Run("train", "--preset", "cpu-small", "--row", "single-frame", "--data", set.Root, "--run", run,
            "--batch-size", "2", "--steps", "2", "--validate-every", "0");
        Assert.True(exit == 0, $"train: exit {exit}: {error}");
        var pretrained = Path.Combine(run, "checkpoints", "last.ckpt");
        Assert.Equal(2, Checkpoint.ReadState(pretrained).GlobalStep);

        (exit, error) = DsaCli.Run("ablate", "--rows", "complete,single-frame", "--seeds", "1", "--data", set.Root, "--out", grid,
            "--batch-size", "2", "--steps", "1", "--validate-every", "0", "--freeze-backbone", "--warm-start", pretrained);
        Assert.True(exit == 0, $"ablate: exit {exit}: {error}");
        foreach (var row in new[] { "complete", "single-frame" })
        {
            var cell = Path.Combine(grid, row, "seed1");
            Assert.Equal(1, Checkpoint.ReadState(Path.Combine(cell, "checkpoints", "last.ckpt")).GlobalStep);
            Assert.NotNull(JsonNode.Parse(File.ReadAllText(Path.Combine(cell, "results", "val_ap.json")))!["total"]);
        }
        Assert.True(File.Exists(Path.Combine(grid, "ablation.csv")));

        (exit, error) = DsaCli.Run("ablate", "--rows", "complete", "--seeds", "1", "--data", set.Root, "--out", Path.Combine(dir.Path, "grid2"),
            "--steps", "1", "--warm-start", Path.Combine(dir.Path, "missing.ckpt"));
        Assert.NotEqual(0, exit);
        Assert.Contains("missing.ckpt", error);
    }
}
