using Dsa.Nn;

namespace Dsa.Tests.Nn;

/// <summary>
/// The config checks that keep a checkpoint's stored config from asking for terabytes (issue 15,
/// item 5): the parameter lower bound is a true lower bound on every buildable row and close enough
/// to be useful, and absurd sizes are refused by Validate.
/// </summary>
public class ModelConfigBoundsTests
{
    public static IEnumerable<object[]> Rows() => Ablations.All.Select(r => new object[] { r.Key });

    [Theory]
    [MemberData(nameof(Rows))]
    public void TheMinimumParameterCountIsALowerBoundWithinAFactorOfFour(string row)
    {
        var config = Ablations.Get(row).Apply(ModelPresets.CpuSmall);
        using var model = new DsaNet("dsa", config);
        long actual = model.parameters().Sum(p => p.numel());
        double bound = config.MinimumParameterCount();
        Assert.True(bound <= actual, $"{row}: bound {bound:N0} > actual {actual:N0}");
        Assert.True(bound >= actual / 4.0, $"{row}: bound {bound:N0} is below a quarter of {actual:N0}");
    }

    [Fact]
    public void ThePaperModelsBoundIsBelowItsSize()
    {
        var config = ModelPresets.Paper;
        using var model = new DsaNet("dsa", config);
        long actual = model.parameters().Sum(p => p.numel());
        Assert.InRange(config.MinimumParameterCount(), actual / 4.0, actual);
    }

    [Theory]
    [InlineData(8192, 288, "InputHeight/InputWidth")]
    [InlineData(384, 288, "Joints", 5000)]
    public void AbsurdSizesAreRefused(int height, int width, string field, int joints = 15)
    {
        var e = Assert.Throws<ArgumentException>(() => (ModelPresets.Paper with { InputHeight = height, InputWidth = width, Joints = joints }).Validate());
        Assert.Contains(field, e.Message);
    }

    [Fact]
    public void TooManySupportingFramesAreRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => (ModelPresets.CpuSmall with { SupportOffsets = Enumerable.Range(1, 40).ToArray() }).Validate());
        Assert.Contains("SupportOffsets", e.Message);
    }
}
