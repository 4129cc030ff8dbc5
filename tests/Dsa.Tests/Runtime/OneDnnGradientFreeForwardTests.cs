using Dsa;
using TorchSharp;
using static TorchSharp.torch;

namespace Dsa.Tests.Runtime;

[CollectionDefinition(nameof(OneDnnSwitchCollection), DisableParallelization = true)]
public sealed class OneDnnSwitchCollection;

/// <summary>
/// The gradient-free oneDNN scope turns a process-wide switch, so these tests run alone (no other test may run a
/// backward pass while one of their scopes is open).
/// </summary>
[Collection(nameof(OneDnnSwitchCollection))]
public class OneDnnGradientFreeForwardTests
{
    // The probe's decision on a machine with the fault, imposed (these tests run alone), so that the scope is tested
    // on every machine.
    private static readonly OneDnnDecision Faulty = new(false, "test: as on a machine with the fault",
        new ConvolutionGradientCheck(24, ["16->15 3x3/1 at 32x24: input gradient off by 0.5"], 0.5));

    [Fact]
    public void TheScopeTurnsOneDnnOnOnlyWhenAllowedAndWithoutAGraphAndNests()
    {
        var decided = OneDnnConvolutions.Decision;
        OneDnnConvolutions.Impose(Faulty);
        try
        {
            using (torch.no_grad())
            using (OneDnnConvolutions.ForGradientFreeForward()) Assert.False(OneDnnConvolutions.Enabled); // not allowed
            OneDnnConvolutions.GradientFreeForwardsAllowed = true;
            using (OneDnnConvolutions.ForGradientFreeForward()) Assert.False(OneDnnConvolutions.Enabled); // a graph could be recorded
            using (torch.no_grad())
            {
                var outer = OneDnnConvolutions.ForGradientFreeForward();
                Assert.True(OneDnnConvolutions.Enabled);
                using (OneDnnConvolutions.ForGradientFreeForward()) Assert.True(OneDnnConvolutions.Enabled);
                Assert.True(OneDnnConvolutions.Enabled); // the inner scope leaves the outer one's state
                outer.Dispose();
                outer.Dispose(); // twice is once
                Assert.False(OneDnnConvolutions.Enabled);
            }
        }
        finally
        {
            OneDnnConvolutions.GradientFreeForwardsAllowed = false;
            OneDnnConvolutions.Impose(decided);
        }
        Assert.Equal(decided.Enabled, OneDnnConvolutions.Enabled);
    }

    [Fact]
    public void WhereTheProbeFoundNoFaultTheScopeChangesNothing()
    {
        var decided = OneDnnConvolutions.Decision;
        OneDnnConvolutions.Impose(new OneDnnDecision(true, "test: as on a machine without the fault", new ConvolutionGradientCheck(24, [], 1e-7)));
        OneDnnConvolutions.GradientFreeForwardsAllowed = true;
        try
        {
            using (torch.no_grad())
            using (OneDnnConvolutions.ForGradientFreeForward()) Assert.True(OneDnnConvolutions.Enabled);
            Assert.True(OneDnnConvolutions.Enabled);
        }
        finally
        {
            OneDnnConvolutions.GradientFreeForwardsAllowed = false;
            OneDnnConvolutions.Impose(decided);
        }
    }

    // Why the scope may use oneDNN at all: its forward convolutions match float64 on the shapes whose backward is wrong.
    [Fact]
    public void OneDnnForwardConvolutionsMatchFloat64()
    {
        var decided = OneDnnConvolutions.Decision;
        OneDnnConvolutions.Impose(Faulty);
        torch.manual_seed(2);
        var bad = new List<string>();
        int runs = 0;
        OneDnnConvolutions.GradientFreeForwardsAllowed = true;
        try
        {
            using var noGrad = torch.no_grad();
            for (int repeat = 0; repeat < 4; repeat++)
                foreach (var cin in new[] { 3L, 6L, 16L, 32L })
                    foreach (var cout in new[] { 1L, 2L, 6L, 15L, 27L, 32L })
                        foreach (var (h, w) in new[] { (32L, 24L), (8L, 6L) })
                        {
                            using var scope = NewDisposeScope();
                            var x = torch.randn(2, cin, h, w); // [B, C, H, W]
                            var conv = nn.Conv2d(cin, cout, 3, padding: 1);
                            var conv64 = nn.Conv2d(cin, cout, 3, padding: 1, dtype: ScalarType.Float64);
                            conv64.weight!.copy_(conv.weight!);
                            conv64.bias!.copy_(conv.bias!);
                            Tensor y;
                            using (OneDnnConvolutions.ForGradientFreeForward())
                            {
                                Assert.True(OneDnnConvolutions.Enabled);
                                y = conv.call(x).to(ScalarType.Float64);
                            }
                            var reference = conv64.call(x.to(ScalarType.Float64));
                            var error = (y - reference).abs().max().item<double>() / reference.abs().max().item<double>();
                            runs++;
                            if (!(error < 1e-5)) bad.Add($"{cin}->{cout} at {h}x{w}: {error:G3}");
                        }
        }
        finally
        {
            OneDnnConvolutions.GradientFreeForwardsAllowed = false;
            OneDnnConvolutions.Impose(decided);
        }
        Assert.True(bad.Count == 0, $"{bad.Count} of {runs} oneDNN forward convolutions differ from float64: {string.Join(", ", bad.Take(8))}");
    }
}
