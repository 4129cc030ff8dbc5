using Dsa.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsa.Tests.Nn;

public class DsaNetTests
{
    public static IEnumerable<object[]> AblationRows() => Ablations.All.Select(r => new object[] { r.Key });

    [Fact]
    public void TheSingleFrameStateIsTheSharedPartOfBothModelsStateDicts()
    {
        using var dsa = DsaNet.FromPreset("cpu-small");
        using var single = DsaNet.FromPreset("cpu-small", Ablations.Get("single-frame").Apply);
        var shared = dsa.SingleFrameState().Select(e => e.Name).ToHashSet();
        Assert.Equal(single.state_dict().Keys.Order(), single.SingleFrameState().Select(e => e.Name).Order());
        Assert.Equal(single.state_dict().Keys.Order(), shared.Order());
        Assert.All(dsa.state_dict().Keys.Where(k => !shared.Contains(k)), k => Assert.StartsWith("align", k));
    }

    [Theory]
    [MemberData(nameof(AblationRows))]
    public void ForwardAndBackwardOnCpuSmallForEveryAblationRow(string row)
    {
        torch.manual_seed(1);
        var config = Ablations.Get(row).Apply(ModelPresets.CpuSmall);
        using var net = new DsaNet("dsa", config);
        net.train();
        using var scope = NewDisposeScope();
        var frames = torch.randn(new long[] { 2, config.FrameCount, 3, config.InputHeight, config.InputWidth });
        var heatmaps = net.forward(frames);
        var (h, w) = config.HeatmapSize;
        Assert.Equal(new long[] { 2, 15, h, w }, heatmaps.shape);

        var target = torch.rand(2, 15, h, w);
        var weight = torch.ones(2, 15, 1);
        var loss = JointsMseLoss.Compute(heatmaps, target, weight);
        Assert.True(double.IsFinite(loss.item<float>()));
        loss.backward();

        var names = net.named_parameters().Select(p => p.name).ToList();
        bool alignmentOn = !config.IsSingleFrame && config.Alignment != AlignmentMode.None;
        bool gabExpected = alignmentOn && config.UseGab;
        bool lebExpected = alignmentOn && config.UseLeb;
        bool predictorsExpected = gabExpected && config.Gab.Deformable;
        Assert.Equal(gabExpected, names.Any(n => n.Contains(".gab.")));
        Assert.Equal(lebExpected, names.Any(n => n.Contains(".leb.")));
        Assert.Equal(predictorsExpected, names.Any(n => n.Contains(".gab.offset_predictor.")));

        foreach (var (name, p) in net.named_parameters())
        {
            // Every parameter that exists takes part in the loss...
            Assert.True(p.grad is not null, $"{row}: parameter {name} got no gradient");
            Assert.True(p.grad!.isfinite().all().item<bool>(), $"{row}: gradient of {name} is not finite");
        }
        // ...and the alignment blocks' own predictors receive a non-zero gradient even though their last
        // layers start at zero (offsets 0, Q = I, k = 0).
        if (predictorsExpected)
            Assert.Contains(net.named_parameters(), p => p.name.Contains(".gab.offset_predictor.") && p.parameter.grad!.abs().sum().item<float>() > 0);
        if (lebExpected)
            Assert.Contains(net.named_parameters(), p => p.name.Contains(".leb.affine_predictor.") && p.parameter.grad!.abs().sum().item<float>() > 0);
    }

    [Fact]
    public void SingleFrameBaselineHasNoAlignmentAndTheSameBackboneAndHeadShapes()
    {
        using var dsa = new DsaNet("dsa", ModelPresets.CpuSmall);
        using var single = new DsaNet("dsa", Ablations.Get("single-frame").Apply(ModelPresets.CpuSmall));
        var dsaNames = dsa.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);
        var singleNames = single.named_parameters().ToDictionary(p => p.name, p => p.parameter.shape);
        Assert.DoesNotContain(singleNames.Keys, n => n.StartsWith("align"));
        foreach (var (name, shape) in singleNames)
        {
            Assert.True(dsaNames.ContainsKey(name), name);
            // Only the 1x1 reduction sees the (1+T)*C concatenation.
            if (!name.StartsWith("head.reduce.0.")) Assert.Equal(dsaNames[name], shape);
        }
    }

    [Fact]
    public void ListAndStackedInputsGiveTheSameHeatmaps()
    {
        torch.manual_seed(2);
        using var net = new DsaNet("dsa", ModelPresets.CpuSmall);
        net.eval();
        using var scope = NewDisposeScope();
        var c = ModelPresets.CpuSmall;
        var frames = Enumerable.Range(0, c.FrameCount).Select(_ => torch.randn(new long[] { 1, 3, c.InputHeight, c.InputWidth })).ToList();
        using var _ = torch.no_grad();
        var a = net.forward(frames);
        var b = net.forward(torch.stack(frames, 1));
        Assert.True(a.allclose(b));
    }

    [Fact]
    public void TracedRunReturnsFieldsForEveryStageAndSupportingFrame()
    {
        using var net = new DsaNet("dsa", ModelPresets.CpuSmall);
        net.eval();
        var c = ModelPresets.CpuSmall;
        using var _ = torch.no_grad();
        using var frames = torch.randn(new long[] { 1, c.FrameCount, 3, c.InputHeight, c.InputWidth });
        using var output = net.Run(frames, trace: true);
        Assert.Equal(c.SupportOffsets.Count, output.Fields.Count);
        // Symmetric structure: S encoder stages + (S-1) decoder stages.
        Assert.All(output.Fields, f => Assert.Equal(2 * c.AlignmentScales - 1, f.Count));
        var first = output.Fields[0][0];
        var (h, w) = c.HeatmapSize;
        Assert.Equal(new long[] { 1, 18, h, w }, first.Offset!.shape);
        Assert.Equal(new long[] { 1, 9, h, w }, first.Mask!.shape);
        Assert.Equal(new long[] { 1, 6, h, w }, first.Affine!.shape);
        Assert.Equal(new long[] { 1, c.SupportOffsets.Count, net.FeatureChannels, h, w }, output.AlignedFeatures.shape);
    }

    [Fact]
    public void WrongFrameCountOrSizeIsAClearError()
    {
        using var net = new DsaNet("dsa", ModelPresets.CpuSmall);
        var c = ModelPresets.CpuSmall;
        using var twoFrames = torch.randn(new long[] { 1, 2, 3, c.InputHeight, c.InputWidth });
        Assert.Contains("T = 5", Assert.Throws<ArgumentException>(() => net.forward(twoFrames)).Message);
        using var wrongSize = torch.randn(new long[] { 1, 5, 3, 64, 64 });
        Assert.Contains("128x96", Assert.Throws<ArgumentException>(() => net.forward(wrongSize)).Message);
    }

    [Fact]
    public void ConfigValidationNamesTheField()
    {
        Assert.Contains("multiples of 32", Assert.Throws<ArgumentException>(() => (ModelPresets.CpuSmall with { InputHeight = 100 }).Validate()).Message);
        Assert.Contains("SupportOffsets", Assert.Throws<ArgumentException>(() => (ModelPresets.CpuSmall with { SupportOffsets = new[] { 0, 1 } }).Validate()).Message);
        Assert.Contains("Unknown ablation row", Assert.Throws<ArgumentException>(() => Ablations.Parse("complete,nope")).Message);
    }

    [Fact]
    public void FrozenBackboneGetsNoGradientAndStaysInEvalMode()
    {
        using var net = new DsaNet("dsa", ModelPresets.CpuSmall with { FreezeBackbone = true });
        net.train();
        Assert.False(net.Backbone.training);
        Assert.All(net.Backbone.parameters(), p => Assert.False(p.requires_grad));
    }
}
