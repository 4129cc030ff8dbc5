using Dsa.Nn;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsa.Tests.Nn;

/// <summary>ModelConfig.IdentityStart: every alignment row computes what r/m alignment computes until training moves it.</summary>
public class IdentityStartTests
{
    private static readonly ModelConfig Base = ModelPresets.CpuSmall with { IdentityStart = true, FreezeBackbone = true };

    [Theory]
    [InlineData("complete", false)]
    [InlineData("complete", true)]
    [InlineData("no-unet", false)]
    [InlineData("no-gab", false)]
    [InlineData("no-leb", true)]
    [InlineData("gab-regular-conv", false)]
    public void AtStepZeroEveryAlignmentRowIsUnalignedConcatenation(string row, bool coarseToFine)
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(41);
        using var aligned = new DsaNet("dsa", Ablations.Get(row).Apply(Base with { CoarseToFine = coarseToFine }));
        using var unaligned = new DsaNet("dsa", Ablations.Get("no-alignment").Apply(Base));
        var shared = unaligned.state_dict();
        foreach (var (name, value) in aligned.state_dict().Where(kv => shared.ContainsKey(kv.Key)))
            using (torch.no_grad()) value.copy_(shared[name]);
        var frames = torch.randn([2, Base.FrameCount, 3, Base.InputHeight, Base.InputWidth]);
        foreach (var training in new[] { true, false })
        {
            aligned.train(training);
            unaligned.train(training);
            using var _ = torch.no_grad();
            DeformConvParityTests.AssertClose(unaligned.forward(frames), aligned.forward(frames), $"{row} (train: {training})", 1e-5);
        }
    }

    [Fact]
    public void WithoutItTheAlignerStartsAsARandomProjectionAndANonZeroInitIsRefused()
    {
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(42);
        using var stage = new AlignmentStage("s", 8, ModelPresets.CpuSmall with { IdentityStart = false });
        var x = torch.randn(1, 8, 10, 8);
        using (torch.no_grad()) Assert.False(stage.forward(torch.randn(1, 8, 10, 8), x).allclose(x, atol: 1e-3));
        Assert.Throws<ArgumentException>(() => new GlobalAlignmentBlock("gab", 8, new GabOptions(ZeroInit: false), identityStart: true));
        Assert.Throws<ArgumentException>(() => new LocalEnhancementBlock("leb", 8, new LebOptions(ZeroInit: false), identityStart: true));
    }
}
