using Dsa.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsa.Tests.Nn;

public class DeformConvModuleTests
{
    [Fact]
    public void ParametersAreNamedWeightAndBiasWithTorchShapes()
    {
        using var conv = new ModulatedDeformConv2d("dcn", 8, 6, (3, 2), groups: 2, offsetGroups: 4);
        var parameters = conv.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);
        Assert.Equal(new[] { "bias", "weight" }, parameters.Keys.Order());
        Assert.Equal(new long[] { 6, 4, 3, 2 }, parameters["weight"]);
        Assert.Equal(new long[] { 6 }, parameters["bias"]);
        Assert.Equal(2 * 4 * 6, conv.OffsetChannels);
        Assert.Equal(4 * 6, conv.MaskChannels);

        using var noBias = new ModulatedDeformConv2d("dcn", 4, 4, (3, 3), bias: false);
        Assert.Equal(new[] { "weight" }, noBias.named_parameters().Select(p => p.name));
    }

    [Fact]
    public void InitialisationHasTorchConv2dBounds()
    {
        using var conv = new ModulatedDeformConv2d("dcn", 16, 8, (3, 3));
        double bound = 1.0 / Math.Sqrt(16 * 9);
        Assert.True(conv.Weight.abs().max().item<float>() <= bound + 1e-7);
        Assert.True(conv.Bias!.abs().max().item<float>() <= bound + 1e-7);
        Assert.True(conv.Weight.std().item<float>() > 0.3 * bound); // not all zero / constant
    }

    public static IEnumerable<object[]> ZeroOffsetCases() => new[]
    {
        // inC, outC, kh, kw, stride, padding, dilation, groups, offsetGroups
        new object[] { 4, 6, 3, 3, 1, 1, 1, 1, 1 },
        new object[] { 6, 4, 3, 3, 2, 1, 1, 2, 3 },
        new object[] { 4, 4, 3, 3, 1, 2, 2, 4, 2 },
        new object[] { 6, 3, 2, 3, 1, 0, 1, 3, 1 },
    };

    [Theory]
    [MemberData(nameof(ZeroOffsetCases))]
    public void ZeroOffsetsWithoutMaskEqualConv2d(int inC, int outC, int kh, int kw, int stride, int padding, int dilation, int groups, int offsetGroups)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(11);
        using var conv = new ModulatedDeformConv2d("dcn", inC, outC, (kh, kw), (stride, stride), (padding, padding), (dilation, dilation), groups, offsetGroups);
        var input = torch.randn(2, inC, 9, 7);
        var (ho, wo) = DeformConv.OutputSize((9, 7), (kh, kw), (stride, stride), (padding, padding), (dilation, dilation));
        var offset = torch.zeros(2, conv.OffsetChannels, ho, wo);
        var actual = conv.forward(input, offset, null);
        var expected = torch.nn.functional.conv2d(input, conv.Weight, conv.Bias, new long[] { stride, stride },
            new long[] { padding, padding }, new long[] { dilation, dilation }, groups);
        DeformConvParityTests.AssertClose(expected, actual, "zero-offset deform conv vs conv2d", 1e-5);
    }

    [Fact]
    public void SizeOneDimensionsWorkAndMatchConv2d()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(3);
        var weight = torch.randn(2, 3, 3, 3);
        foreach (var (h, w) in new[] { (1L, 5L), (4L, 1L), (1L, 1L) })
        {
            var input = torch.randn(1, 3, h, w).requires_grad_(true);
            var actual = DeformConv.DeformConv2d(input, torch.zeros(1, 18, h, w), weight, padding: (1, 1));
            var expected = torch.nn.functional.conv2d(input, weight, padding: new long[] { 1, 1 });
            DeformConvParityTests.AssertClose(expected, actual, $"{h}x{w} input", 1e-5);
            actual.sum().backward();
            Assert.Equal(input.shape, input.grad!.shape);
        }
    }

    [Fact]
    public void GradientsReachEveryInput()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(5);
        var input = torch.randn(1, 4, 6, 6).requires_grad_(true);
        var offset = (torch.rand(1, 18, 6, 6) * 2 - 1).requires_grad_(true);
        var mask = torch.rand(1, 9, 6, 6).requires_grad_(true);
        var weight = torch.randn(3, 4, 3, 3).requires_grad_(true);
        var bias = torch.randn(3).requires_grad_(true);
        var output = DeformConv.DeformConv2d(input, offset, weight, bias, mask, padding: (1, 1));
        (output * torch.randn_like(output)).sum().backward();
        foreach (var (t, name) in new[] { (input, "input"), (offset, "offset"), (mask, "mask"), (weight, "weight"), (bias, "bias") })
            Assert.True(t.grad is not null && t.grad.abs().sum().item<float>() > 0, $"no gradient reached {name}");
    }

    [Fact]
    public void WrongOffsetChannelsNameOffsetAndTheExpectedShape()
    {
        using var scope = torch.NewDisposeScope();
        var input = torch.randn(1, 4, 10, 10);
        var weight = torch.randn(6, 4, 3, 3);
        var e = Assert.Throws<ArgumentException>(() => DeformConv.DeformConv2d(input, torch.zeros(1, 17, 10, 10), weight, padding: (1, 1)));
        Assert.Equal("offset", e.ParamName);
        Assert.Contains("offset must have shape", e.Message);
        Assert.Contains("[1, 18, 10, 10]", e.Message);
        Assert.Contains("[1, 17, 10, 10]", e.Message);

        // Right channels, wrong spatial size (the output is 10x10 only with padding 1).
        var e2 = Assert.Throws<ArgumentException>(() => DeformConv.DeformConv2d(input, torch.zeros(1, 18, 10, 10), weight));
        Assert.Equal("offset", e2.ParamName);
        Assert.Contains("[1, 18, 8, 8]", e2.Message);
    }

    [Fact]
    public void WrongMaskBiasAndWeightShapesAreNamed()
    {
        using var scope = torch.NewDisposeScope();
        var input = torch.randn(1, 4, 10, 10);
        var offset = torch.zeros(1, 36, 10, 10); // og = 2
        var weight = torch.randn(6, 4, 3, 3);
        var mask = Assert.Throws<ArgumentException>(() => DeformConv.DeformConv2d(input, offset, weight, mask: torch.ones(1, 9, 10, 10), padding: (1, 1)));
        Assert.Equal("mask", mask.ParamName);
        Assert.Contains("[1, 18, 10, 10]", mask.Message);
        var bias = Assert.Throws<ArgumentException>(() => DeformConv.DeformConv2d(input, offset, weight, bias: torch.zeros(5), padding: (1, 1)));
        Assert.Equal("bias", bias.ParamName);
        Assert.Contains("[6]", bias.Message);
        var w = Assert.Throws<ArgumentException>(() => DeformConv.DeformConv2d(input, offset, torch.randn(6, 3, 3, 3), padding: (1, 1)));
        Assert.Equal("weight", w.ParamName);
    }
}
