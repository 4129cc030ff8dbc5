using Dsa.Nn;
using Dsa.Tests.Evaluation;
using Dsa.Tests.Infrastructure;
using Dsa.Workflows;

namespace Dsa.Tests.Workflows;

public class PresetsTests
{
    [Fact]
    public void EachPresetCarriesItsModelItsTrainingAndItsShippedStart()
    {
        Assert.Equal(Presets.All.Keys.Order(), new[] { "cpu-small", "paper" });
        Assert.Same(Presets.CpuSmall, Presets.Get(Presets.DefaultName));
        Assert.Equal(ModelPresets.CpuSmall, Presets.CpuSmall.Model);
        Assert.Equal(TrainPresets.CpuSmall, Presets.CpuSmall.Train);
        Assert.Equal(ShippedModel.DefaultDirectory, Presets.CpuSmall.ShippedModelDirectory);
        Assert.Equal(ModelPresets.Paper, Presets.Paper.Model);
        Assert.Equal(TrainPresets.Paper, Presets.Paper.Train);
        Assert.Null(Presets.Paper.ShippedModelDirectory);
        foreach (var (name, preset) in Presets.All) Assert.Equal(name, preset.Name);
    }

    [Fact]
    public void AnUnknownPresetNamesTheKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => Presets.Get("cpu-large"));
        Assert.Contains("cpu-large", e.Message);
        Assert.Contains("cpu-small, paper", e.Message.Replace("paper, cpu-small", "cpu-small, paper"));
    }
}

[Collection(nameof(ConsoleCollection))]
public class PresetCommandLineTests
{
    [Fact]
    public void APresetWithoutAShippedModelAsksForAStartingPoint()
    {
        using var dir = new TempDir();
        var (exit, error) = DsaCli.Run("ablate", "--preset", "paper", "--rows", "complete", "--out", Path.Combine(dir.Path, "grid"), "--data", Path.Combine(dir.Path, "data"));
        Assert.Equal(1, exit);
        Assert.Contains("No model is shipped for --preset paper", error);
        Assert.Contains("--warm-start", error);
    }
}
