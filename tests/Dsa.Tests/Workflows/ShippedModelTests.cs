using Dsa.Nn;
using Dsa.Tests.Infrastructure;
using Dsa.Tests.Training;
using Dsa.Workflows;

namespace Dsa.Tests.Workflows;

/// <summary>
/// The single-frame model shipped in models/ (issue 11, item 3): it loads strictly, its weights are the file its manifest
/// describes, and it reproduces the manifest's check AP on the first validation videos, regenerated from the manifest's
/// synthetic config.
/// </summary>
public class ShippedModelTests(TinySyntheticSet set) : IClassFixture<TinySyntheticSet>
{
    private static string ShippedDir => ShippedModel.Locate(ShippedModel.DefaultDirectory)
        ?? throw new InvalidOperationException($"{ShippedModel.DefaultDirectory} is not in this checkout (it is committed: a clone without it is broken).");

    [Fact]
    public void TheShippedModelLoadsStrictlyAndReproducesItsManifest()
    {
        var (model, manifest) = ShippedModel.Load(ShippedDir);
        using (model)
        {
            Assert.True(manifest.Steps >= 10_000, $"trained {manifest.Steps} steps");
            Assert.Contains("dsa train", manifest.Command);
            Assert.Matches("^[0-9a-f]{40}$", manifest.Commit);
            Assert.Equal("paper-motion", manifest.SyntheticPreset);
            Assert.Equal(15, manifest.Validation.PerJoint.Count);

            var check = ShippedModel.EvaluateCheck(model, manifest.Synthetic, manifest.CheckVideos);
            Assert.Equal(manifest.Check.FramesEvaluated, check.FramesEvaluated);
            // Rounded to 4 decimals in the manifest; thread counts may move a float in the last place.
            foreach (var (joint, ap) in manifest.Check.PerJoint) Assert.True(Math.Abs(ap - check.PerJoint[joint]) < 0.05, $"{joint}: {check.PerJoint[joint]} vs manifest {ap}");
            Assert.Equal(manifest.Check.MAP, check.MAP, 1);
        }
    }

    [Fact]
    public void AChangedWeightsFileIsRefusedWithItsPath()
    {
        using var dir = new TempDir();
        foreach (var file in new[] { ShippedModel.ManifestFile, ShippedModel.WeightsFile })
            File.Copy(Path.Combine(ShippedDir, file), Path.Combine(dir.Path, file));
        var weights = ShippedModel.WeightsPath(dir.Path);
        var bytes = File.ReadAllBytes(weights);
        bytes[^1] ^= 0x01; // one bit of the last tensor
        File.WriteAllBytes(weights, bytes);
        var error = Assert.Throws<InvalidDataException>(() => ShippedModel.Load(dir.Path));
        Assert.Contains(weights, error.Message);
        Assert.Contains("sha256", error.Message);

        File.Delete(weights);
        Assert.Contains(ShippedModel.WeightsFile, Assert.Throws<FileNotFoundException>(() => ShippedModel.Verify(dir.Path)).Message);
        Assert.Null(ShippedModel.Locate("models/no-such-model"));
    }

    [Fact]
    public void ExportWritesAManifestThatItsOwnModelReproduces()
    {
        using var dir = new TempDir();
        var run = Experiment.Run(new ExperimentSpec(Path.Combine(dir.Path, "run"), Ablations.Get("single-frame").Apply(TinySyntheticSet.Model),
            TinySyntheticSet.Train with { MaxSteps = 2, ValidateEvery = 0 }, set.Data) { Force = true, Threads = 1 });
        var outDir = Path.Combine(dir.Path, "models", "tiny");
        var manifest = ShippedModel.Export(run.Run.LastCheckpoint, set.Data, outDir, "tiny", "a test model", "cpu-small", "dsa train ...", new string('a', 40), checkVideos: 1);
        Assert.Equal(2, manifest.Steps);
        Assert.Equal(Math.Round(run.Validation.Total, 4), manifest.Validation.MAP, 6);
        Assert.Equal(ShippedModel.Sha256Of(ShippedModel.WeightsPath(outDir)), manifest.Sha256);
        var (model, read) = ShippedModel.Load(outDir);
        using (model)
        {
            Assert.Equal(manifest.Check.MAP, read.Check.MAP);
            Assert.Equal(manifest.Check.PerJoint, read.Check.PerJoint);
            var again = ShippedModel.EvaluateCheck(model, read.Synthetic, read.CheckVideos);
            Assert.Equal(read.Check.MAP, again.MAP, 3);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => ShippedModel.Export(run.Run.LastCheckpoint, set.Data, outDir, "tiny", "", "cpu-small", "", "", checkVideos: 99));
    }

    [Fact]
    public void TheDefaultDemoStartsFromTheShippedModelAndWritesItsResultsAndReport()
    {
        using var dir = new TempDir();
        var outDir = Path.Combine(dir.Path, "demo");
        // From the repository (where models/ is found), on the tiny set, 2 steps instead of the default 300.
        using var demo = DsaProcess.Start(Fixtures.RepoRoot, "demo", "--data", set.Root, "--out", outDir, "--steps", "2", "--threads", "1");
        var (exit, stdout, stderr) = DsaProcess.Finish(demo, TimeSpan.FromMinutes(4));
        Assert.True(exit == 0, stdout + stderr);
        Assert.Contains($"start from {Path.GetFullPath(ShippedModel.WeightsPath(ShippedDir))}", stdout);
        var json = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, DemoResultsFile.FileName)))!;
        Assert.Equal(2, (long)json["dsa"]!["steps"]!);
        Assert.Equal(2, (long)json["baseline"]!["steps"]!);
        Assert.Equal(Path.GetFullPath(ShippedModel.WeightsPath(ShippedDir)), (string)json["start"]!);
        Assert.True(File.Exists(Path.Combine(outDir, "report.html")));
        Assert.False(Directory.Exists(Path.Combine(outDir, "pretrain"))); // no pretraining from scratch
    }
}
