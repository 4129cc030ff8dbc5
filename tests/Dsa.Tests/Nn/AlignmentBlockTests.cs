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

public class CoarseToFineAlignmentTests
{
    private static readonly ModelConfig Plain = ModelPresets.CpuSmall;
    private static readonly ModelConfig CoarseToFine = ModelPresets.CpuSmall with { CoarseToFine = true };

    [Fact]
    public void AtInitialisationItIsThePlainUNet()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(31);
        using var plain = new SymmetricAlignment("align0", 16, Plain);
        using var carried = new SymmetricAlignment("align0", 16, CoarseToFine);
        carried.load_state_dict(plain.state_dict()); // the carry adds no parameters
        Assert.Equal(plain.parameters().Count(), carried.parameters().Count());
        plain.eval();
        carried.eval();
        var key = torch.randn(2, 16, 32, 24);
        var support = torch.randn(2, 16, 32, 24);
        using var _ = torch.no_grad();
        DeformConvParityTests.AssertClose(plain.Align(key, support), carried.Align(key, support), "coarse-to-fine at zero offsets", 1e-5);
    }

    [Fact]
    public void ACoarseLevelsShiftReachesFullResolutionScaledByTheLevelRatio()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(32);
        using var align = new SymmetricAlignment("align0", 16, CoarseToFine);
        align.eval();
        // The 1/4-scale encoder GAB moves every tap by (dy, dx) = (0.5, -0.25) of its pixels: 4x that at full resolution.
        var bias = align.named_parameters().Single(p => p.name == "encoder.2.gab.offset_predictor.3.bias").parameter;
        using (torch.no_grad())
            for (int tap = 0; tap < 9; tap++) { bias[2 * tap] = 0.5f; bias[2 * tap + 1] = -0.25f; }
        var trace = new List<AlignmentFields>();
        using var _ = torch.no_grad();
        align.Align(torch.randn(1, 16, 32, 24), torch.randn(1, 16, 32, 24), trace);
        var total = trace.Single(f => f.Stage == AlignmentFields.TotalStage).Displacement!; // [1, 2, 32, 24]
        Assert.Equal([1L, 2, 32, 24], total.shape);
        Assert.Equal(2.0f, total[0, 0, 4..28, 4..20].min().item<float>(), 4);
        Assert.Equal(2.0f, total[0, 0, 4..28, 4..20].max().item<float>(), 4);
        Assert.Equal(-1.0f, total[0, 1, 4..28, 4..20].mean().item<float>(), 4);
        foreach (var f in trace) f.Dispose();
    }

    [Fact]
    public void TheCascadeReportsTheSumOfItsStagesDisplacements()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(33);
        using var cascade = new CascadeAlignment("align0", 8, Plain);
        foreach (var (name, p) in cascade.named_parameters().Where(p => p.name.EndsWith("gab.offset_predictor.3.bias")))
            using (torch.no_grad()) for (int tap = 0; tap < 9; tap++) p[2 * tap] = 0.25f; // dy = 0.25 per stage
        var trace = new List<AlignmentFields>();
        using var _ = torch.no_grad();
        cascade.Align(torch.randn(1, 8, 10, 8), torch.randn(1, 8, 10, 8), trace);
        var total = trace.Single(f => f.Stage == AlignmentFields.TotalStage).Displacement!;
        Assert.Equal(0.25f * Plain.CascadeStages, total[0, 0].mean().item<float>(), 4);
        Assert.Equal(0f, total[0, 1].abs().max().item<float>(), 5);
        foreach (var f in trace) f.Dispose();
    }
}
