using Dsa.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsa.Tests.Nn;

/// <summary>
/// The C# im2col kernel (<see cref="DeformConvImplementation.Im2Col"/>, which every CPU float32 call takes) against the
/// grid_sample route (<see cref="DeformConvImplementation.GridSample"/>, libtorch's autograd) on random shapes: the
/// output and every gradient. torchvision's own numbers are checked by DeformConvParityTests, whose float32 cases now
/// run this kernel and whose float64 cases run the grid_sample route.
/// </summary>
public class DeformConvIm2ColTests
{
    /// <summary>One random call: sizes, the module's variants, and how far the offsets reach (px).</summary>
    public sealed record Case(string Name, int Batch, int InChannels, int Height, int Width, int OutChannels, int KernelH, int KernelW,
        (long H, long W) Stride, (long H, long W) Padding, (long H, long W) Dilation, int Groups, int OffsetGroups,
        bool Mask, bool Bias, double OffsetScale, bool ZeroMask = false)
    {
        public override string ToString() => Name;
    }

    public static IEnumerable<object[]> Cases() => new Case[]
    {
        new("odd sizes 3x3", 3, 5, 13, 11, 7, 3, 3, (1, 1), (1, 1), (1, 1), 1, 1, true, true, 2),
        new("offsets far outside the image", 2, 4, 9, 10, 3, 3, 3, (1, 1), (1, 1), (1, 1), 1, 1, true, true, 9),
        new("stride 2, no padding", 2, 6, 9, 12, 4, 3, 3, (2, 2), (0, 0), (1, 1), 1, 2, true, true, 2),
        new("3x2 kernel, mixed stride, padding, dilation", 1, 8, 10, 9, 6, 3, 2, (1, 2), (1, 0), (2, 1), 2, 4, true, false, 3),
        new("groups 3, offset groups 3", 2, 9, 8, 7, 6, 3, 3, (1, 1), (1, 1), (1, 1), 3, 3, true, true, 2),
        new("offset groups cut by weight groups", 2, 12, 7, 8, 4, 3, 3, (1, 1), (1, 1), (1, 1), 2, 3, true, true, 2),
        new("5x5, dilation 2", 1, 3, 12, 10, 2, 5, 5, (1, 1), (4, 4), (2, 2), 1, 1, true, true, 2),
        new("1x1 kernel", 2, 6, 7, 9, 4, 1, 1, (1, 1), (0, 0), (1, 1), 1, 2, true, true, 2),
        new("no mask, no bias (DCNv1)", 2, 4, 10, 8, 6, 3, 3, (1, 1), (1, 1), (1, 1), 1, 2, false, false, 2),
        new("height 1", 2, 4, 1, 6, 3, 3, 3, (1, 1), (1, 1), (1, 1), 1, 1, true, true, 1),
        new("40 channels in, 20 out (vector tails)", 2, 40, 11, 13, 20, 3, 3, (1, 1), (1, 1), (1, 1), 1, 1, true, true, 2),
        new("48 channels, wider than one band", 2, 48, 19, 23, 48, 3, 3, (1, 1), (1, 1), (1, 1), 1, 1, true, true, 2),
        new("zero mask", 2, 4, 8, 8, 3, 3, 3, (1, 1), (1, 1), (1, 1), 1, 1, true, true, 2, ZeroMask: true),
        new("five images", 5, 3, 6, 7, 2, 3, 3, (1, 1), (1, 1), (1, 1), 1, 1, true, true, 2),
    }.Select(c => new object[] { c });

    private sealed record Leaves(Tensor Input, Tensor Offset, Tensor? Mask, Tensor Weight, Tensor? Bias, Tensor GradOutput);

    private static Leaves Random(Case c, int seed)
    {
        torch.manual_seed(seed);
        var (ho, wo) = DeformConv.OutputSize((c.Height, c.Width), (c.KernelH, c.KernelW), c.Stride, c.Padding, c.Dilation);
        long taps = c.KernelH * c.KernelW;
        var input = torch.randn(c.Batch, c.InChannels, c.Height, c.Width);                                // [N, C, H, W]
        var offset = (torch.rand(c.Batch, 2 * c.OffsetGroups * taps, ho, wo) * 2 - 1) * c.OffsetScale;    // [N, og*2K, Ho, Wo]
        Tensor? mask = c.Mask ? (c.ZeroMask ? torch.zeros(c.Batch, c.OffsetGroups * taps, ho, wo)
            : torch.rand(c.Batch, c.OffsetGroups * taps, ho, wo)) : null;                                 // [N, og*K, Ho, Wo]
        var weight = torch.randn(c.OutChannels, c.InChannels / c.Groups, c.KernelH, c.KernelW);          // [Cout, C/G, kh, kw]
        Tensor? bias = c.Bias ? torch.randn(c.OutChannels) : null;                                        // [Cout]
        var gradOutput = torch.randn(c.Batch, c.OutChannels, ho, wo);                                     // [N, Cout, Ho, Wo]
        return new Leaves(input, offset, mask, weight, bias, gradOutput);
    }

    /// <summary>Output, then the gradients of input, offset, mask, weight, bias (null where the leaf is absent or wants none).</summary>
    private static Tensor?[] Run(Case c, Leaves l, DeformConvImplementation implementation, bool[]? wants = null)
    {
        wants ??= new[] { true, true, true, true, true };
        Tensor? Leaf(Tensor? t, bool grad) => t?.detach().clone().requires_grad_(grad);
        var input = Leaf(l.Input, wants[0])!;
        var offset = Leaf(l.Offset, wants[1])!;
        var mask = Leaf(l.Mask, wants[2]);
        var weight = Leaf(l.Weight, wants[3])!;
        var bias = Leaf(l.Bias, wants[4]);
        var output = DeformConv.DeformConv2d(input, offset, weight, bias, mask, c.Stride, c.Padding, c.Dilation, implementation);
        if (wants.Any(w => w)) output.backward(new[] { l.GradOutput });
        return new[] { output.detach(), input.grad, offset.grad, mask?.grad, weight.grad, bias?.grad };
    }

    private static readonly string[] Names = { "output", "grad_input", "grad_offset", "grad_mask", "grad_weight", "grad_bias" };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesTheGridSampleRouteInOutputAndEveryGradient(Case c)
    {
        using var scope = torch.NewDisposeScope();
        var leaves = Random(c, 17);
        var expected = Run(c, leaves, DeformConvImplementation.GridSample);
        var actual = Run(c, leaves, DeformConvImplementation.Im2Col);
        for (int i = 0; i < Names.Length; i++)
        {
            Assert.Equal(expected[i] is null, actual[i] is null);
            if (expected[i] is not null)
                DeformConvParityTests.AssertClose(expected[i]!, actual[i], $"{c.Name}: {Names[i]}", 1e-5);
        }
        if (c.ZeroMask)
        {
            // Every tap weighted 0: the output is the bias and nothing reaches the input or the offsets; the mask still learns.
            Assert.Equal(0f, actual[1]!.abs().max().item<float>());
            Assert.Equal(0f, actual[2]!.abs().max().item<float>());
            Assert.True(actual[3]!.abs().max().item<float>() > 0);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    public void GradientsAreComputedForExactlyTheLeavesThatWantThem(int wanted)
    {
        using var scope = torch.NewDisposeScope();
        var c = new Case("one leaf", 2, 6, 9, 8, 4, 3, 3, (1, 1), (1, 1), (1, 1), 1, 1, true, true, 2);
        var leaves = Random(c, 23);
        var wants = Enumerable.Range(0, 5).Select(i => i == wanted).ToArray();
        var expected = Run(c, leaves, DeformConvImplementation.GridSample, wants);
        var actual = Run(c, leaves, DeformConvImplementation.Im2Col, wants);
        for (int i = 1; i < Names.Length; i++)
        {
            Assert.True((actual[i] is not null) == (i - 1 == wanted), $"{Names[i]}: present = {actual[i] is not null}");
            if (actual[i] is not null) DeformConvParityTests.AssertClose(expected[i]!, actual[i], Names[i], 1e-5);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void RepeatedCallsGiveTheSameBits(int batch)
    {
        // Training repeats bit for bit (a resumed run reproduces its losses): however the workers share an image, or images,
        // every sum must be formed in the same order. One image is cut into segments when there are several threads.
        using var scope = torch.NewDisposeScope();
        var c = new Case("repeat", batch, 16, 21, 17, 8, 3, 3, (1, 1), (1, 1), (1, 1), 1, 1, true, true, 3);
        var leaves = Random(c, 29);
        var first = Run(c, leaves, DeformConvImplementation.Im2Col);
        for (int repeat = 0; repeat < 3; repeat++)
        {
            var again = Run(c, leaves, DeformConvImplementation.Im2Col);
            for (int i = 0; i < Names.Length; i++)
                Assert.True(first[i]!.equal(again[i]!).all().item<bool>(), $"{Names[i]} differs on repeat {repeat + 1}");
        }
    }

    [Fact]
    public void ForwardWithoutAutogradMatches()
    {
        using var scope = torch.NewDisposeScope();
        var c = new Case("no_grad", 2, 5, 8, 9, 3, 3, 3, (1, 1), (1, 1), (1, 1), 1, 1, true, true, 2);
        var l = Random(c, 31);
        using var noGrad = torch.no_grad();
        var expected = DeformConv.DeformConv2d(l.Input, l.Offset, l.Weight, l.Bias, l.Mask, c.Stride, c.Padding, c.Dilation, DeformConvImplementation.GridSample);
        var actual = DeformConv.DeformConv2d(l.Input, l.Offset, l.Weight, l.Bias, l.Mask, c.Stride, c.Padding, c.Dilation);
        Assert.False(actual.requires_grad);
        DeformConvParityTests.AssertClose(expected, actual, "output under no_grad", 1e-5);
    }

    [Fact]
    public void Im2ColRefusesWhatItDoesNotComputeAndAutoFallsBack()
    {
        using var scope = torch.NewDisposeScope();
        var input = torch.randn(1, 4, 6, 6, ScalarType.Float64);
        var offset = torch.zeros(1, 18, 6, 6, ScalarType.Float64);
        var weight = torch.randn(3, 4, 3, 3, ScalarType.Float64);
        var e = Assert.Throws<ArgumentException>(() =>
            DeformConv.DeformConv2d(input, offset, weight, padding: (1, 1), implementation: DeformConvImplementation.Im2Col));
        Assert.Equal("implementation", e.ParamName);
        Assert.Contains("Float64", e.Message);
        var expected = torch.nn.functional.conv2d(input, weight, padding: new long[] { 1, 1 });
        DeformConvParityTests.AssertClose(expected, DeformConv.DeformConv2d(input, offset, weight, padding: (1, 1)), "float64 through Auto", 1e-12);
    }

    [Fact]
    public void SetImplementationReachesEveryDeformableConvolutionOfAModel()
    {
        using var gab = new GlobalAlignmentBlock("gab", 8, new GabOptions());
        using var leb = new LocalEnhancementBlock("leb", 8, new LebOptions());
        Assert.Equal(1, DeformConv.SetImplementation(gab, DeformConvImplementation.GridSample));
        Assert.Equal(DeformConvImplementation.GridSample, gab.AlignConv.Implementation);
        Assert.Equal(1, DeformConv.SetImplementation(leb, DeformConvImplementation.GridSample));
    }
}
