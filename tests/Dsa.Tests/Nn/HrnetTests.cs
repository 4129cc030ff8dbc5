using System.Text.Json.Nodes;
using Dsa.IO;
using Dsa.Nn;
using Dsa.Tests.Infrastructure;
using Xunit.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsa.Tests.Nn;

public class HrnetTests(ITestOutputHelper output)
{
    private static double NormalisedError(Tensor actual, Tensor expected)
    {
        using var d = (actual - expected).abs().max();
        using var m = expected.abs().max();
        return d.item<float>() / m.item<float>();
    }

    public static IEnumerable<object[]> Cases() => HrnetCases.Names();

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void CheckpointLoadsStrictlyAndReproducesTheOfficialForward(string stem) =>
        CompareForward(stem, HrnetCases.File(stem, "_config.json"), HrnetCases.File(stem, ".pth"), HrnetCases.File(stem, "_io.safetensors"),
            HrnetCases.Optional(stem, "_intermediates.safetensors"));

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void ACaseWithoutIntermediatesIsStillComparedOnItsFinalOutput(string stem) =>
        CompareForward(stem, HrnetCases.File(stem, "_config.json"), HrnetCases.File(stem, ".pth"), HrnetCases.File(stem, "_io.safetensors"), null);

    private void CompareForward(string stem, string configPath, string pth, string ioPath, string? intermediatesPath)
    {
        var config = HrnetConfig.FromOfficialJson(configPath);
        int entries;
        using (var declared = PthReader.OpenStateDict(pth)) entries = declared.Tensors.Count;
        using var io = Safetensors.Read(ioPath);
        using var model = new HRNet("hrnet", config);
        var report = model.LoadOfficialCheckpoint(pth);
        Assert.Empty(report.Missing);
        Assert.Equal(entries, report.Loaded);
        model.eval();
        using var _ = torch.no_grad();
        // The intermediates are optional (debugging aid); the final output is compared whenever the IO file is there.
        if (intermediatesPath is not null)
        {
            using var intermediates = Safetensors.Read(intermediatesPath);
            using var features = model.Features(io["input"]);
            Assert.True(NormalisedError(features, intermediates["stage4_out.0"]) < 1e-4, "stage4_out.0");
        }
        else output.WriteLine($"{stem}: no intermediates file; only the final output is compared");
        using var heatmaps = model.call(io["input"]);
        Assert.Equal(io["output"].shape, heatmaps.shape);
        double err = NormalisedError(heatmaps, io["output"]);
        output.WriteLine($"{stem} output: max|d|/max|out| = {err:E2}");
        Assert.True(err < 1e-4, $"max|d|/max|out| = {err}");
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void BackboneWithoutOrWithOtherHeadLoadsTheCheckpointIgnoringFinalLayer(string stem)
    {
        var config = HrnetConfig.FromOfficialJson(HrnetCases.File(stem, "_config.json"));
        string pth = HrnetCases.File(stem, ".pth");
        int withoutHead;
        using (var declared = PthReader.OpenStateDict(pth)) withoutHead = declared.Tensors.Count(t => !t.Name.StartsWith("final_layer.", StringComparison.Ordinal));
        using var backbone = new HRNet("backbone", config, includeFinalLayer: false);
        Assert.False(backbone.HasFinalLayer);
        Assert.DoesNotContain(StateDict.Entries(backbone), e => e.Name.StartsWith("final_layer"));
        Assert.Equal(withoutHead, backbone.LoadOfficialCheckpoint(pth).Loaded);
        Assert.Throws<InvalidOperationException>(() => backbone.call(torch.zeros(1, 3, 64, 64)));

        using var other = new HRNet("other", config with { NumJoints = config.NumJoints + 2 });
        var report = other.LoadOfficialCheckpoint(pth);
        Assert.Equal(withoutHead, report.Loaded);
        Assert.Empty(report.Missing);
        Assert.Empty(report.Unexpected);
    }

    [SkippableFact]
    public void W32MatchesTheOfficialStateDictManifest()
    {
        var manifestPath = Fixtures.Require("tensors", "hrnet_w32_state_dict_manifest.json");
        var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!;
        var config = HrnetConfig.FromOfficialJson(manifest, manifestPath);
        Assert.Equal(HrnetConfig.W32(17), config);
        using var model = new HRNet("w32", config);
        var entries = StateDict.Entries(model);
        var expected = manifest["entries"]!.AsArray();
        Assert.Equal(manifest["num_state_dict_entries"]!.GetValue<int>(), expected.Count);
        Assert.Equal(expected.Select(e => e!["name"]!.GetValue<string>()), entries.Select(e => e.Name));
        for (int i = 0; i < expected.Count; i++)
        {
            var (name, value, isParameter) = entries[i];
            Assert.Equal(expected[i]!["shape"]!.AsArray().Select(s => s!.GetValue<long>()), value.shape);
            Assert.Equal(expected[i]!["dtype"]!.GetValue<string>(), value.dtype == ScalarType.Int64 ? "int64" : value.dtype == ScalarType.Float32 ? "float32" : value.dtype.ToString());
            Assert.True(expected[i]!["kind"]!.GetValue<string>() == (isParameter ? "parameter" : "buffer"), name);
        }
        long parameters = model.parameters().Sum(p => p.numel());
        Assert.Equal(manifest["num_parameters"]!.GetValue<long>(), parameters);
        Assert.Equal(28_536_113, parameters);
        Assert.Equal(32, model.FeatureChannels);
        long macs = ModelComplexity.CountMultiplyAdds(model, 1, 3, 256, 192);
        output.WriteLine($"W32 256x192: {parameters:N0} parameters, {macs:N0} multiply-adds ({macs / Math.Pow(1024, 3):F2} G as the official summary prints)");
    }

    [Fact]
    public void InputSidesThatAreNotMultiplesOf32AreRejectedClearly()
    {
        using var model = new HRNet("narrow", HrnetConfig.Narrow(8, 15));
        using var x = torch.zeros(2, 3, 64, 48);
        var e = Assert.Throws<ArgumentException>(() => model.call(x));
        Assert.Contains("64x48", e.Message);
        Assert.Contains("multiples of 32", e.Message);
        Assert.Throws<ArgumentException>(() => HRNet.ValidateInputSize(250, 192));
        HRNet.ValidateInputSize(384, 288);
    }

    [Fact]
    public void NarrowPresetProducesQuarterResolutionHeatmapsAndFeatures()
    {
        using var model = new HRNet("narrow", HrnetConfig.Narrow(8, 15));
        model.eval();
        using var _ = torch.no_grad();
        using var x = torch.randn(1, 3, 64, 96);
        using var heatmaps = model.call(x);
        Assert.Equal(new long[] { 1, 15, 16, 24 }, heatmaps.shape);
        using var features = model.Features(x);
        Assert.Equal(new long[] { 1, 8, 16, 24 }, features.shape);
        Assert.Equal(8, model.FeatureChannels);
        // Stem and layer1 are hard-coded as in the official code, independent of the width.
        Assert.Contains(StateDict.Entries(model), e => e.Name == "layer1.0.downsample.0.weight" && e.Value.shape.SequenceEqual(new long[] { 256, 64, 1, 1 }));
    }

    [Fact]
    public void ConfigErrorsNameTheFileAndField()
    {
        var path = Path.Combine(Path.GetTempPath(), $"hrnet-{Guid.NewGuid():N}.json");
        try
        {
            File.WriteAllText(path, """{"MODEL": {"NUM_JOINTS": 15, "EXTRA": {"STAGE2": {"NUM_MODULES": 1, "NUM_BRANCHES": 2, "BLOCK": "BASIC", "NUM_BLOCKS": [1, 1], "NUM_CHANNELS": [8]}}}}""");
            var e = Assert.Throws<InvalidDataException>(() => HrnetConfig.FromOfficialJson(path));
            Assert.Contains(path, e.Message);
            Assert.Contains("MODEL.EXTRA.STAGE2.NUM_CHANNELS", e.Message);
        }
        finally { File.Delete(path); }
    }
}
