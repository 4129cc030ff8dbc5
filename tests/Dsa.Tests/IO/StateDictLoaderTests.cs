using Dsa.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsa.Tests.IO;

public class StateDictLoaderTests
{
    private static nn.Module<Tensor, Tensor> ConvBn() => nn.Sequential(nn.Conv2d(2, 3, 3, bias: false), nn.BatchNorm2d(3));

    /// <summary>A state dict with the same names as <see cref="ConvBn"/> and distinct random values.</summary>
    private static Dictionary<string, Tensor> Source() => new()
    {
        ["0.weight"] = torch.randn(3, 2, 3, 3),
        ["1.weight"] = torch.rand(3),
        ["1.bias"] = torch.randn(3),
        ["1.running_mean"] = torch.randn(3),
        ["1.running_var"] = torch.rand(3) + 0.5,
        ["1.num_batches_tracked"] = torch.tensor(7L),
    };

    [Fact]
    public void EntriesFollowPyTorchStateDictOrder()
    {
        using var m = ConvBn();
        var names = StateDict.Entries(m).Select(e => e.Name);
        Assert.Equal(new[] { "0.weight", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked" }, names);
        Assert.Equal(new[] { true, true, true, false, false, false }, StateDict.Entries(m).Select(e => e.IsParameter));
    }

    [Fact]
    public void StrictLoadCopiesEveryValue()
    {
        using var m = ConvBn();
        var src = Source();
        var report = StateDictLoader.Load(m, src);
        Assert.Empty(report.Missing);
        Assert.Equal(6, report.Loaded);
        foreach (var (name, value, _) in StateDict.Entries(m))
            Assert.True(value.equal(src[name]).all().item<bool>(), name);
    }

    [Fact]
    public void StrictLoadReportsMissingUnexpectedAndShapeMismatchAndCopiesNothing()
    {
        using var m = ConvBn();
        using var before = m.named_parameters().First().parameter.clone();
        var src = Source();
        src.Remove("1.bias");
        src["1.extra"] = torch.zeros(1);
        src["1.running_mean"] = torch.zeros(4);
        var e = Assert.Throws<InvalidDataException>(() => StateDictLoader.Load(m, src));
        Assert.Contains("1.bias", e.Message);
        Assert.Contains("1.extra", e.Message);
        Assert.Contains("1.running_mean", e.Message);
        Assert.True(m.named_parameters().First().parameter.equal(before).all().item<bool>());

        var report = StateDictLoader.Load(m, src, strict: false);
        Assert.Equal(new[] { "1.bias" }, report.Missing);
        Assert.Equal(new[] { "1.extra" }, report.Unexpected);
        var mismatch = Assert.Single(report.ShapeMismatches);
        Assert.Equal("1.running_mean", mismatch.Key);
        Assert.Equal(new long[] { 3 }, mismatch.Expected);
        Assert.Equal(new long[] { 4 }, mismatch.Actual);
        Assert.Contains("shape mismatch 1.running_mean", report.ToString());
        Assert.Equal(4, report.Loaded);
    }

    [Fact]
    public void MissingBatchCounterAloneIsTolerated()
    {
        using var m = ConvBn();
        var src = Source();
        src.Remove("1.num_batches_tracked");
        var report = StateDictLoader.Load(m, src);
        Assert.Equal(new[] { "1.num_batches_tracked" }, report.Missing);
        Assert.True(report.IsStrictlyCompatible);
    }

    [Fact]
    public void IgnoredKeysAreNeitherMissingNorUnexpected()
    {
        using var m = ConvBn();
        var src = Source();
        src.Remove("0.weight");
        src["head.weight"] = torch.zeros(2);
        var report = StateDictLoader.Load(m, src, ignoreKey: k => k.StartsWith("0.") || k.StartsWith("head."));
        Assert.Empty(report.Missing);
        Assert.Empty(report.Unexpected);
    }

    [Fact]
    public void IntegerIntoFloatIsRefused()
    {
        using var m = ConvBn();
        var src = Source();
        src["1.bias"] = torch.zeros(new long[] { 3 }, int64);
        Assert.Throws<InvalidDataException>(() => StateDictLoader.Load(m, src));
    }

    [Fact]
    public void SafetensorsRoundTrip()
    {
        var path = Path.Combine(Path.GetTempPath(), $"sd-{Guid.NewGuid():N}.safetensors");
        try
        {
            using var a = ConvBn();
            StateDictLoader.Load(a, Source());
            StateDict.Save(a, path);
            using var b = ConvBn();
            StateDict.Load(b, path);
            foreach (var ((name, x, _), (_, y, _)) in StateDict.Entries(a).Zip(StateDict.Entries(b)))
                Assert.True(x.equal(y).all().item<bool>(), name);
        }
        finally { File.Delete(path); }
    }
}
