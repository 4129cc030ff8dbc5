using Dsa.Data.Pipeline;
using Dsa.Interactive;
using Dsa.Tests.Infrastructure;

namespace Dsa.Tests.Interactive;

public sealed class MotionTablesTests
{
    [Fact]
    public void TheTableShowsHeatmapSizeAsHeightByWidthAndTheCommittedMediansAndP90s()
    {
        var bonn = JointMotionReport.Read(Path.Combine(Fixtures.RepoRoot, "results", "motion", "bonn-96x72.json"));
        var frame = MotionTables.Compare(new Dictionary<string, JointMotionReport> { ["bonn"] = bonn });
        Assert.Equal("96x72", frame.Columns["heatmap (H x W)"][0]);
        Assert.Equal(bonn.AtDistance(2).Median.ToString("F2"), frame.Columns["±2 median (px)"][0]);
        Assert.Equal(bonn.AtDistance(1).P90.ToString("F2"), frame.Columns["±1 p90"][0]);
    }
}
