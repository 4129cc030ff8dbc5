using Dsa.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsa.Tests.Nn;

public class AlignmentBlockTests
{
    private static Tensor PlainConv(Tensor x, Tensor weight, Tensor? bias, long dilation = 1) =>
        torch.nn.functional.conv2d(x, weight, bias, padding: new[] { dilation, dilation }, dilation: new[] { dilation, dilation });

    [Theory]
    [InlineData(1L, 1L)]
    [InlineData(2L, 2L)]
    public void ZeroInitGabIsHalfMaskedPlainConv(long offsetGroups, long dilation)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(21);
        using var gab = new GlobalAlignmentBlock("gab", 4, new GabOptions(OffsetGroups: offsetGroups, Dilation: dilation));
        var key = torch.randn(2, 4, 8, 7);
        var support = torch.randn(2, 4, 8, 7);
        var (aligned, offset, mask) = gab.ForwardWithFields(key, support);
        var w = gab.AlignConv.Weight;
        // Offsets 0 and M = sigmoid(0) = 0.5 on every tap: 0.5 * (w * F_s) + bias.
        var expected = PlainConv(support, w, null, dilation) * 0.5 + gab.AlignConv.Bias!.view(1, 4, 1, 1);
        DeformConvParityTests.AssertClose(expected, aligned, "zero-init GAB", 1e-5);
        Assert.Equal(new long[] { 2, 2 * offsetGroups * 9, 8, 7 }, offset.shape);
        Assert.Equal(new long[] { 2, offsetGroups * 9, 8, 7 }, mask.shape);
        Assert.Equal(0f, offset.abs().max().item<float>());
        Assert.True((mask - 0.5).abs().max().item<float>() < 1e-7);
        var children = gab.named_children().Select(c => c.name).Order().ToArray();
        Assert.Equal(new[] { "align_conv", "mask_predictor", "offset_predictor" }, children);
    }

    [Fact]
    public void RegularConvolutionGabIsPlainConvWithoutPredictors()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(22);
        using var gab = new GlobalAlignmentBlock("gab", 4, new GabOptions(Deformable: false));
        var key = torch.randn(1, 4, 6, 5);
        var support = torch.randn(1, 4, 6, 5);
        var (aligned, offset, mask) = gab.ForwardWithFields(key, support);
        DeformConvParityTests.AssertClose(PlainConv(support, gab.AlignConv.Weight, gab.AlignConv.Bias), aligned, "regular-conv GAB", 1e-6);
        Assert.Equal(new[] { "align_conv.bias", "align_conv.weight" }, gab.named_parameters().Select(p => p.name).Order());
        Assert.Equal(0f, offset.abs().max().item<float>());
        Assert.Equal(1f, mask.min().item<float>());
        Assert.Equal(new long[] { 1, 9, 6, 5 }, mask.shape);
    }

    [Fact]
    public void GabWithoutSigmoidStartsWithUnitMask()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(23);
        using var gab = new GlobalAlignmentBlock("gab", 3, new GabOptions(SigmoidMask: false));
        var support = torch.randn(1, 3, 5, 5);
        var aligned = gab.forward(torch.randn(1, 3, 5, 5), support);
        DeformConvParityTests.AssertClose(PlainConv(support, gab.AlignConv.Weight, gab.AlignConv.Bias), aligned, "no-sigmoid GAB", 1e-5);
    }

    [Fact]
    public void GradientsReachTheZeroInitialisedPredictors()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(24);
        using var gab = new GlobalAlignmentBlock("gab", 4, new GabOptions());
        using var leb = new LocalEnhancementBlock("leb", 4, new LebOptions());
        var key = torch.randn(2, 4, 7, 6);
        var support = torch.randn(2, 4, 7, 6);
        var output = leb.forward(gab.forward(key, support), key);
        (output * torch.randn_like(output)).sum().backward();
        var grads = gab.named_parameters().Concat(leb.named_parameters())
            .ToDictionary(p => p.name, p => p.parameter.grad is null ? 0.0 : p.parameter.grad.abs().sum().item<float>());
        // The last convs of T_theta, T_M and phi are all-zero at start; they must still learn. (The layers
        // before them get zero gradient on this first step, exactly because those weights are zero.)
        foreach (var name in new[] { "offset_predictor.3.weight", "offset_predictor.3.bias", "mask_predictor.3.weight", "mask_predictor.3.bias",
                     "affine_predictor.6.weight", "affine_predictor.6.bias", "align_conv.weight", "adaptive_conv.weight" })
        {
            Assert.True(grads.ContainsKey(name), $"no parameter {name} (have {string.Join(", ", grads.Keys)})");
            Assert.True(grads[name] > 0, $"no gradient reached {name}");
        }
    }

    [Fact]
    public void ZeroInitLebIsPlainConvWithIdentityAffine()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(25);
        using var leb = new LocalEnhancementBlock("leb", 4, new LebOptions());
        var aligned = torch.randn(2, 4, 6, 8);
        var key = torch.randn(2, 4, 6, 8);
        var (enhanced, affine) = leb.ForwardWithFields(aligned, key);
        DeformConvParityTests.AssertClose(PlainConv(aligned, leb.AdaptiveConv.Weight, leb.AdaptiveConv.Bias), enhanced, "zero-init LEB", 1e-5);
        var identity = torch.tensor(new float[] { 1, 0, 0, 1, 0, 0 }).view(1, 6, 1, 1).expand(2, 6, 6, 8);
        Assert.True(affine.equal(identity).all().item<bool>());
        Assert.Equal(new[] { "adaptive_conv", "affine_predictor" }, leb.named_children().Select(c => c.name).Order());
    }

    [Fact]
    public void MismatchedKeyIsRejected()
    {
        using var scope = torch.NewDisposeScope();
        using var gab = new GlobalAlignmentBlock("gab", 4, new GabOptions());
        var e = Assert.Throws<ArgumentException>(() => gab.forward(torch.randn(1, 4, 6, 6), torch.randn(1, 4, 6, 5)));
        Assert.Equal("key", e.ParamName);
        Assert.Throws<ArgumentException>(() => new GlobalAlignmentBlock("gab", 6, new GabOptions(OffsetGroups: 4)));
    }
}
