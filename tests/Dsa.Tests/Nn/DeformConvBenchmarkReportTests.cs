using Dsa.Benchmarks;

namespace Dsa.Tests.Nn;

/// <summary>The bookkeeping of `dsa bench deform` (no timing here: timings live in the bench verb).</summary>
public class DeformConvBenchmarkReportTests
{
    private static DeformConvBenchmarkResult Result(string implementation, string name, double median) =>
        new(implementation, name, new long[] { 1, 2, 3, 4 }, 2, 3, median, median, 1 << 20, true, 1);

    [Fact]
    public void RatioIsOursOverTorchvisionPerCase()
    {
        var report = DeformConvBenchmarkReport.Create("rt", new[] { Result("ours", "a", 1.0), Result("ours", "b", 3.0) },
            new[] { Result("tv", "b", 2.0), Result("tv", "a", 4.0) });
        Assert.Equal(0.25, report.MedianRatio!["a"], 12);
        Assert.Equal(1.5, report.MedianRatio!["b"], 12);
        Assert.Null(DeformConvBenchmarkReport.Create("rt", new[] { Result("ours", "a", 1.0) }, null).MedianRatio);
    }

    [Fact]
    public void GridSampleRatioIsIm2ColOverGridSamplePerCase()
    {
        var report = DeformConvBenchmarkReport.Create("rt", new[] { Result("im2col", "a", 1.0), Result("im2col", "b", 3.0) }, null,
            new[] { Result("grid_sample", "b", 6.0), Result("grid_sample", "a", 4.0) });
        Assert.Equal(0.25, report.MedianRatioToGridSample!["a"], 12);
        Assert.Equal(0.5, report.MedianRatioToGridSample!["b"], 12);
        Assert.Null(report.MedianRatio);
        Assert.Null(DeformConvBenchmarkReport.Create("rt", new[] { Result("im2col", "a", 1.0) }, null).MedianRatioToGridSample);
    }

    [Fact]
    public void MissingReferenceCaseIsNamed()
    {
        var e = Assert.Throws<InvalidDataException>(() =>
            DeformConvBenchmarkReport.Create("rt", new[] { Result("ours", "paper-gab-b4", 1.0) }, new[] { Result("tv", "other", 1.0) }));
        Assert.Contains("paper-gab-b4", e.Message);
    }

    [Fact]
    public void AlternatingTimerWarmsEachStepThenAlternatesTheTimedRuns()
    {
        var calls = new List<string>();
        var timings = StepTimer.MeasureAlternating(new Action[] { () => calls.Add("a"), () => calls.Add("b") }, warmup: 2, repeats: 3);
        // Per step: the warm-up runs and one untimed run for its peak memory; then a, b, a, b, a, b.
        Assert.Equal("a a a b b b a b a b a b", string.Join(" ", calls));
        Assert.Equal(2, timings.Count);
        Assert.All(timings, t => Assert.NotNull(t.PeakResidentBytes));
    }

    [Fact]
    public void DefaultCasesAreTheHrnetW48FeatureShapes()
    {
        Assert.All(DeformConvBenchmarkCase.Defaults, c => Assert.Equal((48L, 96L, 72L, 48L), (c.Channels, c.Height, c.Width, c.OutChannels)));
        Assert.Equal("8,48,96,72,48", DeformConvBenchmarkCase.Defaults[0].ToArgument());
    }
}
