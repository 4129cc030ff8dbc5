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

    [SkippableFact]
    public void TinyCheckpointLoadsStrictlyAndReproducesTheOfficialForward()
    {
        var config = HrnetConfig.FromOfficialJson(Fixtures.Require("tensors", "hrnet_tiny_config.json"));
        using var io = Safetensors.Read(Fixtures.Require("tensors", "hrnet_tiny_io.safetensors"));
        using var intermediates = Safetensors.Read(Fixtures.Require("tensors", "hrnet_tiny_intermediates.safetensors"));
        using var model = new HRNet("hrnet", config);
        var report = model.LoadOfficialCheckpoint(Fixtures.Require("tensors", "hrnet_tiny.pth"));
        Assert.Empty(report.Missing);
        Assert.Equal(398, report.Loaded);
        model.eval();
        using var _ = torch.no_grad();
        using var features = model.Features(io["input"]);
        Assert.True(NormalisedError(features, intermediates["stage4_out.0"]) < 1e-4, "stage4_out.0");
        using var heatmaps = model.call(io["input"]);
        Assert.Equal(io["output"].shape, heatmaps.shape);
        double err = NormalisedError(heatmaps, io["output"]);
        output.WriteLine($"hrnet_tiny output: max|d|/max|out| = {err:E2}");
        Assert.True(err < 1e-4, $"max|d|/max|out| = {err}");
    }

    [SkippableFact]
    public void BackboneWithoutOrWithOtherHeadLoadsTheCheckpointIgnoringFinalLayer()
    {
        var configPath = Fixtures.Require("tensors", "hrnet_tiny_config.json");
        var pth = Fixtures.Require("tensors", "hrnet_tiny.pth");
        var config = HrnetConfig.FromOfficialJson(configPath);
        using var backbone = new HRNet("backbone", config, includeFinalLayer: false);
        Assert.False(backbone.HasFinalLayer);
        Assert.DoesNotContain(StateDict.Entries(backbone), e => e.Name.StartsWith("final_layer"));
        Assert.Equal(396, backbone.LoadOfficialCheckpoint(pth).Loaded);
        Assert.Throws<InvalidOperationException>(() => backbone.call(torch.zeros(1, 3, 64, 64)));

        using var coco = new HRNet("coco", config with { NumJoints = 17 });
        var report = coco.LoadOfficialCheckpoint(pth);
        Assert.Equal(396, report.Loaded);
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
